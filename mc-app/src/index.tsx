import { createRoot } from 'react-dom/client';
import { EntryPoint } from './components/entry-point/entry-point';

const container = document.getElementById('app');
if (container) createRoot(container).render(<EntryPoint />);
