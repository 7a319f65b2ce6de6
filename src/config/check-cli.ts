import { checkConfig } from "./check";

const result = checkConfig(process.argv.slice(2));
const out = result.exitCode === 2 ? console.error : console.log;
for (const line of result.lines) out(line);
process.exitCode = result.exitCode;
