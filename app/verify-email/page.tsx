import { MailedLinkPage } from "@/components/mailed-link-page";

export const dynamic = "force-dynamic";
export const metadata = { title: "Verify email · Sign-in system", referrer: "no-referrer" };

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <MailedLinkPage kind="verify" token={typeof token === "string" ? token : undefined} />;
}
