// Page sizes, one rule for every service: where the contract only describes a range in prose, an out-of-range size
// is clamped into it; where the descriptors carry a validation rule (search: at most 30), it is enforced with 400.
import { invalidArgument } from "./errors.js";

export interface PageBounds { min: number; max: number; default: number }

export function clampedPageSize(requested: number, b: PageBounds): number {
  if (!requested) return b.default;
  return Math.min(b.max, Math.max(b.min, requested));
}

export function checkedPageSize(requested: number, b: PageBounds): number {
  if (!requested) return b.default;
  if (requested < b.min || requested > b.max) throw invalidArgument("page_size", `must be between ${b.min} and ${b.max}`);
  return requested;
}
