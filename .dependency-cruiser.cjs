/**
 * The import rules of the code's layers (docs/architecture.md), checked by `npm run lint`.
 * lib/ is a stack of folders: each may import only the folders before it in LAYERS (and itself), so the
 * primitives (lib/auth/) never reach up into the services that use them (lib/accounts/), and no cycle
 * can form anywhere. Pages and components sit above lib/; browser code only reaches shared schemas.
 */
const LAYERS = [
  ["config", "^lib/config/"],
  ["runtime", "^lib/runtime/"],
  ["db", "^lib/db/"],
  ["mail", "^lib/mail/"],
  ["http", "^lib/http/"],
  ["schemas", "^lib/schemas/"],
  ["auth", "^lib/auth/"],
  ["accounts", "^lib/accounts/"],
  ["api", "^lib/api/"],
];

const upward = LAYERS.flatMap(([name, path], index) =>
  LAYERS.slice(index + 1).map(([above, abovePath]) => ({
    name: `${name}-not-to-${above}`,
    comment: `lib/${name} sits below lib/${above}: it may not import it (see LAYERS in .dependency-cruiser.cjs).`,
    severity: "error",
    from: { path },
    to: { path: abovePath },
  })),
);

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle makes two modules one: neither can be read, tested or moved alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: "lib-not-to-ui",
      comment: "lib/ is below the pages and components: it may not import them.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "browser-code-only-to-shared",
      comment:
        "Components and lib/client run in the browser: they may import lib/client and the shared schemas, never server modules.",
      severity: "error",
      from: { path: "^(components|lib/client)/" },
      to: { path: "^lib/", pathNot: "^lib/(client|schemas)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|bench/results)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
