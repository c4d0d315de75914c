// negative control: hashing on the main thread must fail the measure
import bcrypt from "bcryptjs";
import fs from "node:fs";
const w = () => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[1]);
let own = 0, raw = 0, expected = performance.now() + 5, waited = w(), running = true;
const tick = () => { const now = performance.now(); const late = now - expected; const d = (w() - waited) / 1e6; raw = Math.max(raw, late); own = Math.max(own, late - d); if (!running) return; waited = w(); expected = performance.now() + 5; setTimeout(tick, 5); };
setTimeout(tick, 5);
for (let i = 0; i < 3; i++) { await new Promise(r => setTimeout(r, 20)); await bcrypt.hash("x".repeat(10), 12); }
running = false; await new Promise(r => setTimeout(r, 20));
console.log({ own, raw });
