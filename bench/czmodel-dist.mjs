// The CLI as an installed package runs it: the bundled dist/cli/ (`npm run build`), no TypeScript
// loader, so bench figures include the real start-up rather than tsx compiling src/.
const { czmodelMain } = await import(new URL("../dist/cli/entry.js", import.meta.url).href);
await czmodelMain(process.argv.slice(2));
