/** template: renders a Handlebars template on the control machine and copies the result. */
import type { FileAttributes } from "./attributes.js";
import { planCopy } from "./copy.js";
import type { Operation } from "./operation.js";
import { renderTemplate, templatePath, type TemplateSource } from "./render-template.js";

export interface TemplateArgs extends FileAttributes {
  readonly src: TemplateSource;
  readonly dest: string;
  readonly vars: Record<string, unknown>;
  readonly secret?: boolean;
  readonly backup?: boolean;
  readonly validate?: string;
}

export function template(args: TemplateArgs): Operation {
  return {
    title: `template ${templatePath(args.src)} -> ${args.dest}`,
    plan: async (target) => planCopy(target, { ...args, src: undefined, content: renderTemplate(args.src, args.vars) }),
  };
}
