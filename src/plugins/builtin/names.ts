import { definePlugin } from "../api.ts";

/** The look-alike name checks of src/static/package-names.ts, run on every requirement before pip sees it. */
export const namesPlugin = definePlugin({
  name: "builtin:names",
  api: "^1.0.0",
  rules: [
    {
      id: "static.name.homoglyph",
      severity: "block",
      description: "Package name with non-ASCII look-alike characters.",
      explanation: "Python package names are ASCII; a name with look-alike characters exists only to be mistaken for another package.",
    },
    {
      id: "static.name.typosquat",
      severity: "block",
      description: "Package name close to a popular project.",
      explanation:
        "One letter away from a popular project blocks unless --allow-name accepts it; a separator or py/python affix away is a warning. Typosquatting packages use names like this.",
    },
  ],
});
