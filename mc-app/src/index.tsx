import { createRoot } from 'react-dom/client';
import { EntryPoint } from './components/entry-point/entry-point';
import { rememberRequestedPage } from './deep-link';

rememberRequestedPage(window.location, window.sessionStorage);
const container = document.getElementById('app');
if (container) createRoot(container).render(<EntryPoint />);
