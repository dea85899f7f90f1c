/** Secrets are masked also in the form a shell-quoted command carries them. */
import { describe, expect, it } from "vitest";
import { shellCommand } from "../../lib/connection/quote.js";
import { SecretMasker } from "../../lib/output/masker.js";

describe("secret masking", () => {
  it("masks a secret with a quote in it inside a quoted command's text", () => {
    const masker = new SecretMasker();
    masker.add("it's-a-secret");
    const text = `run: ${shellCommand("login", "--password", "it's-a-secret")}`;
    expect(masker.mask(text)).not.toContain("secret");
    expect(masker.mask(text)).toContain("********");
  });
});
