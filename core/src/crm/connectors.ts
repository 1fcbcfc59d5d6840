// One line per CRM: its folder's connector under the name the `CRM` setting takes.
export { connector as salesforce } from "./salesforce/connector";
export { connector as close } from "./close/connector";
export { connector as freshsales } from "./freshsales/connector";
export { connector as crmone } from "./crmone/connector";
export { connector as dynamics } from "./dynamics/connector";
