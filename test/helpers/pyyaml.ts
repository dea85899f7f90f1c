/**
 * PyYAML and ansible-inventory as references for how YAML scalars read: python3 with PyYAML (the
 * interpreter Ansible itself runs on), and `ansible-inventory --list` output, which may hold the
 * bare `NaN`/`Infinity` Python's json writes.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** What Python made of a value: its type name and a JSON-able reading of it. */
export interface PythonValue {
  readonly type: string;
  readonly value: unknown;
}

export type PyyamlReading = { readonly error: string } | { readonly value: PythonValue; readonly key: PythonValue; readonly keyName: string | null };

// For each document `v: TEXT` + `? TEXT: 0`, the value of `v` and the other key, as Python has them.
const READ_SCALARS = `
import datetime, json, sys, yaml
def reading(v):
    if isinstance(v, float): text = json.dumps(v)
    elif isinstance(v, (datetime.date, datetime.datetime)): text = v.isoformat()
    elif isinstance(v, bool) or v is None: text = v
    else: text = str(v)
    return {"type": type(v).__name__, "text": text}
out = []
for doc in json.load(sys.stdin):
    try:
        data = yaml.load(doc, Loader=yaml.SafeLoader)
    except Exception as e:
        out.append({"error": str(e).splitlines()[0]})
        continue
    [key] = [k for k in data if k != "v"]
    try:
        name = next(iter(json.loads(json.dumps({key: 0}))))
    except TypeError:
        name = None
    out.append({"value": reading(data["v"]), "key": reading(key), "keyName": name})
print(json.dumps(out))
`;

/** The python3 that runs Ansible (its shebang), so the PyYAML compared with is Ansible's own. */
export function ansiblePython(): string {
  const program = execFileSync("sh", ["-c", "command -v ansible-inventory"], { encoding: "utf8" }).trim();
  const shebang = readFileSync(program, "utf8").split("\n")[0] ?? "";
  return /^#!\s*(\S*python\S*)/.exec(shebang)?.[1] ?? "python3";
}

/** The document each scalar is read in: once as the value of `v`, once as a key. */
export function scalarDocument(text: string): string {
  return `v: ${text}\n? ${text}\n: 0\n`;
}

/** How PyYAML's SafeLoader reads each scalar text, as a value and as a key. */
export function pyyamlReadScalars(texts: readonly string[]): PyyamlReading[] {
  const out = execFileSync(ansiblePython(), ["-c", READ_SCALARS], { input: JSON.stringify(texts.map(scalarDocument)), encoding: "utf8" });
  return (JSON.parse(out) as Array<{ error: string } | { value: RawValue; key: RawValue; keyName: string | null }>).map((item) =>
    "error" in item ? item : { value: toValue(item.value), key: toValue(item.key), keyName: item.keyName },
  );
}

interface RawValue {
  type: string;
  text: string | boolean | null;
}

function toValue({ type, text }: RawValue): PythonValue {
  if (type === "int") return { type, value: Number(BigInt(text as string)) };
  if (type === "float") return { type, value: parsePythonJson(text as string) };
  return { type, value: text };
}

/** JSON as Python's json module writes it: `NaN`, `Infinity` and `-Infinity` may appear bare. */
export function parsePythonJson(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => (token.startsWith('"') ? token : `{"__python_float__":"${token}"}`));
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === "object" && value !== null && "__python_float__" in value ? Number((value as Record<string, string>)["__python_float__"]) : value,
  );
}
