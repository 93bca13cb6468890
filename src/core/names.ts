/** PEP 503 normalised project name: the only form in which names are ever compared. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
