import { MailedLinkPage } from "@/components/mailed-link-page";

export const dynamic = "force-dynamic";
export const metadata = { title: "Confirm email change · Sign-in system", referrer: "no-referrer" };

export default async function ConfirmEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <MailedLinkPage kind="confirm" token={typeof token === "string" ? token : undefined} />;
}
