import { ResetPasswordForm } from "@/components/reset-password-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Choose a new password · Sign-in system", referrer: "no-referrer" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <ResetPasswordForm token={typeof token === "string" ? token : undefined} />;
}
