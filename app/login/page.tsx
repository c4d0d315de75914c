import { LoginForm } from "@/components/login-form";
import { SignedInChoice } from "@/components/signed-in-choice";
import { oidcProviderInfo } from "@/lib/accounts/authjs";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in · Sign-in system" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  return (
    <SignedInChoice next={one(q.next)}>
      <LoginForm
        next={one(q.next)}
        reason={one(q.reason)}
        signedOut={one(q.signed_out) === "everywhere" ? "everywhere" : one(q.signed_out) === "1" ? "here" : undefined}
        passwordReset={one(q.reset) === "1"}
        authError={one(q.error)}
        oidc={oidcProviderInfo()}
      />
    </SignedInChoice>
  );
}
