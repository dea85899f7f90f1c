/**
 * Handlebars rendering for roles' templates, strict: a variable the template uses but the vars do
 * not define is an error naming the template file and line (conditionals like `{{#if x}}` may test
 * an undefined x). Output is not HTML-escaped. Helpers: eq, ne, and, or, not, join, json.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type Handlebars from "handlebars";
import { InputError, locate } from "../errors.js";
import { lazyRequire } from "../util/lazy-require.js";

/** Handlebars with the helpers, made at the first template: runs without templates never load it. */
let instance: typeof Handlebars | undefined;
function handlebars(): typeof Handlebars {
  if (instance) return instance;
  // The package's own single-file build of the same version: one module where its main entry loads 44
  // (compiler and source maps), about 25 ms less of every start-up that checks templates.
  instance = lazyRequire<typeof Handlebars>("handlebars/dist/handlebars.js").create();
  instance.registerHelper({
    eq: (a: unknown, b: unknown) => a === b,
    ne: (a: unknown, b: unknown) => a !== b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    not: (value: unknown) => !value,
    join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === "string" ? separator : ",") : ""),
    json: (value: unknown) => JSON.stringify(value),
  });
  return instance;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export type TemplateSource = string | URL;

export function templatePath(src: TemplateSource): string {
  return src instanceof URL ? fileURLToPath(src) : src;
}

/** Compiles (once per run) and checks a template's syntax; used to validate roles before connecting. */
export function compileTemplate(src: TemplateSource): Handlebars.TemplateDelegate {
  const path = templatePath(src);
  let template = compiled.get(path);
  if (!template) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new InputError(path, `cannot read template: ${(error as Error).message}`);
    }
    try {
      handlebars().precompile(text, { strict: true, noEscape: true });
    } catch (error) {
      const message = (error as Error).message;
      throw new InputError(locate(path, Number(/on line (\d+)/.exec(message)?.[1]) || undefined), `template syntax error: ${message.split("\n").slice(-1)[0]}`);
    }
    template = handlebars().compile(text, { strict: true, noEscape: true });
    compiled.set(path, template);
  }
  return template;
}

export function renderTemplate(src: TemplateSource, vars: Record<string, unknown>): string {
  const path = templatePath(src);
  const template = compileTemplate(src);
  try {
    return template(vars);
  } catch (error) {
    const message = (error as Error).message;
    const missing = /^"(.+?)" not defined in .* - (\d+):(\d+)/.exec(message);
    if (missing) throw new InputError(locate(path, Number(missing[2])), `'${missing[1]}' is not defined (no such variable or helper)`);
    throw new InputError(path, `cannot render template: ${message}`);
  }
}
