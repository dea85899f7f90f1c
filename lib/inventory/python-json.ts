/**
 * JSON as Python's json.dumps writes it, which ansible-inventory uses: a float that is infinite or
 * not a number (YAML's `.inf`, `-.inf`, `.nan`) is written `Infinity`, `-Infinity`, `NaN`, where
 * JavaScript's JSON.stringify writes `null`, which would say the variable is empty.
 */
import { randomBytes } from "node:crypto";

export function pythonJson(value: unknown, indent = 4): string {
  // A marker no string of the inventory can hold by chance: fresh random bytes per call.
  const marker = `__ek_float_${randomBytes(8).toString("hex")}__`;
  const text = JSON.stringify(value, (_key, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? `${marker}${x}` : x), indent);
  return text.replace(new RegExp(`"${marker}(-?Infinity|NaN)"`, "g"), "$1");
}
