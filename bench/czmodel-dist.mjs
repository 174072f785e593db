// The CLI as an installed package runs it: the compiled dist/ (`npm run build`), no TypeScript
// loader, so bench figures include the real start-up rather than tsx compiling src/.
const { czmodelMain } = await import(new URL("../dist/src/cli/entry.js", import.meta.url).href);
await czmodelMain(process.argv.slice(2));
