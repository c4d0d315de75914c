"use client";
/** The colour theme picker in the header: system, light or dark (lib/client/theme.ts). */
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useEffect, useState } from "react";
import { readTheme, saveTheme, subscribeTheme, THEME_CHOICES, type ThemeChoice } from "@/lib/client/theme";

const labels: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

function SunIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </svg>
  );
}

function MoonIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
    </svg>
  );
}

function SystemIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </svg>
  );
}

const icons: Record<ThemeChoice, () => React.JSX.Element> = { system: SystemIcon, light: SunIcon, dark: MoonIcon };

export function ThemeMenu() {
  // "system" on the server and in the first render, the saved choice right after (the page's colours
  // were already set before paint by the inline script).
  const [choice, setChoice] = useState<ThemeChoice>("system");
  useEffect(() => {
    const sync = () => setChoice(readTheme());
    sync();
    return subscribeTheme(sync);
  }, []);
  const Icon = icons[choice];
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="icon-button" aria-label={`Theme: ${labels[choice]}`} data-testid="theme-menu">
        <Icon />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={6} style={{ minWidth: "9rem" }}>
          <DropdownMenu.Label className="menu-label">Theme</DropdownMenu.Label>
          <DropdownMenu.RadioGroup value={choice} onValueChange={(value) => saveTheme(value as ThemeChoice)}>
            {THEME_CHOICES.map((value) => (
              <DropdownMenu.RadioItem key={value} value={value} className="menu-item">
                {labels[value]}
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
