import { SignupForm } from "@/components/signup-form";

export const metadata = { title: "Sign up · Sign-in system" };

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <SignupForm next={typeof next === "string" ? next : undefined} />;
}
