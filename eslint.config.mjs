import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Effects here start async loads whose results are set after an await, which this rule cannot tell apart.
      "react-hooks/set-state-in-effect": "off",
      // Signing in and out navigates with a full page load on purpose: every page rehydrates from storage.
      "@next/next/no-location-assign-relative-destination": "off",
    },
  },
  { ignores: [".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
];

export default config;
