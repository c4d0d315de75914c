/**
 * The colour theme: "system" (follow prefers-color-scheme), "light" or "dark", kept in
 * localStorage["theme"]. The stylesheet does the rest (app/globals.css: every colour is a light-dark()
 * pair); this only pins <html data-theme> when the choice is not "system". THEME_SCRIPT runs inline in
 * <head> before the first paint, so a saved choice never flashes the other theme.
 */
export const THEME_KEY = "theme";
export type ThemeChoice = "system" | "light" | "dark";
export const THEME_CHOICES: ThemeChoice[] = ["system", "light", "dark"];
/** Sent on window whenever the effective theme may have changed (Swagger UI follows it). */
export const THEME_EVENT = "themechange";

/** The same logic as applyTheme, as source for the inline script (it cannot import). */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==="light"||t==="dark")document.documentElement.dataset.theme=t;}catch(e){}})();`;

export function readTheme(): ThemeChoice {
  const value = typeof window === "undefined" ? null : window.localStorage.getItem(THEME_KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  window.dispatchEvent(new Event(THEME_EVENT));
}

export function saveTheme(choice: ThemeChoice): void {
  if (choice === "system") window.localStorage.removeItem(THEME_KEY);
  else window.localStorage.setItem(THEME_KEY, choice);
  applyTheme(choice);
}

/** Whether the page shows dark colours now: the pinned choice, else the system's. */
export function isDark(): boolean {
  const pinned = document.documentElement.dataset.theme;
  if (pinned === "dark" || pinned === "light") return pinned === "dark";
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

/** Follows the effective theme: the choice (this tab or another) and the system's scheme. */
export function subscribeTheme(listener: () => void): () => void {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_KEY || event.key === null) {
      applyTheme(readTheme());
    }
  };
  window.addEventListener(THEME_EVENT, listener);
  window.addEventListener("storage", onStorage);
  media.addEventListener("change", listener);
  return () => {
    window.removeEventListener(THEME_EVENT, listener);
    window.removeEventListener("storage", onStorage);
    media.removeEventListener("change", listener);
  };
}
