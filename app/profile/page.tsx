import { ProfileView } from "@/components/profile-view";
import { oidcProviderInfo } from "@/lib/accounts/authjs";

// The "Link …" button depends on the OpenID Connect settings read at run time.
export const dynamic = "force-dynamic";
export const metadata = { title: "Profile · Sign-in system" };

export default function ProfilePage() {
  return <ProfileView oidc={oidcProviderInfo()} />;
}
