import { ProfileView } from "@/components/profile-view";

export const metadata = { title: "Profile · Sign-in system" };

export default function ProfilePage() {
  return <ProfileView />;
}
