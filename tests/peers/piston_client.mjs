// Runs programs through the real piston-client (npm) against a server, for
// tests/api/peers.rs. Reads {"server", "runs": [{"language", "code",
// "options"}]} as JSON on stdin and prints what the client returned for
// each, and the runtimes it listed.
import piston from "piston-client";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const spec = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const client = piston({ server: spec.server });
const results = [];
for (const run of spec.runs) {
  results.push(await client.execute(run.language, run.code, run.options ?? { args: [] }));
}
console.log(JSON.stringify({ runtimes: await client.runtimes(), results }));
