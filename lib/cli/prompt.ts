/** Reads a secret from the terminal without echoing it (for -K). */
import { EasyKubeError } from "../errors.js";

export async function readSecretFromTerminal(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new EasyKubeError("-K needs a terminal to ask for the password; set ansible_become_password in a vars file instead");
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  let secret = "";
  try {
    return await new Promise<string>((resolve, reject) => {
      input.on("data", (chunk: Buffer) => {
        for (const char of chunk.toString("utf8")) {
          if (char === "\r" || char === "\n") return resolve(secret);
          if (char === "\u0003") return reject(new EasyKubeError("interrupted"));
          if (char === "\u007f") secret = secret.slice(0, -1);
          else secret += char;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    input.removeAllListeners("data");
    process.stderr.write("\n");
  }
}
