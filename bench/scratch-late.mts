import { hashPassword } from "../lib/auth/passwords";
import { closeBcryptPool } from "../lib/auth/bcrypt-pool";
for (let round = 0; round < 3; round++) {
  const lates: [number, number][] = [];
  let running = true; const t0 = performance.now();
  let expected = t0 + 5;
  const tick = () => { const now = performance.now(); lates.push([Math.round(now - t0), +(now - expected).toFixed(1)]); if (!running) return; expected = now + 5; setTimeout(tick, 5); };
  setTimeout(tick, 5);
  await Promise.all(Array.from({ length: 8 }, (_, i) => hashPassword("pw" + i + "aaaaaaa", 12)));
  running = false;
  console.log(round, "total", Math.round(performance.now() - t0), "worst", lates.filter(l => l[1] > 3));
  if (round === 1) await closeBcryptPool();
}
