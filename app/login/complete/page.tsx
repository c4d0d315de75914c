import { CompleteSignIn } from "@/components/complete-sign-in";

export const metadata = { title: "Signing in · Sign-in system" };

export default async function CompletePage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <CompleteSignIn next={typeof next === "string" ? next : undefined} />;
}
