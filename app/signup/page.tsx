import { SignupForm } from "@/components/signup-form";
import { SignedInChoice } from "@/components/signed-in-choice";

export const metadata = { title: "Sign up · Sign-in system" };

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const destination = typeof next === "string" ? next : undefined;
  return (
    <SignedInChoice next={destination}>
      <SignupForm next={destination} />
    </SignedInChoice>
  );
}
