import { SettingsView } from "@/components/settings-view";

export const metadata = { title: "Settings · Sign-in system" };

export default function SettingsPage() {
  return <SettingsView />;
}
