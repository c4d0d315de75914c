import { MailedLinkPage } from "@/components/mailed-link-page";

export const dynamic = "force-dynamic";
export const metadata = { title: "Cancel email change · Sign-in system", referrer: "no-referrer" };

export default async function CancelEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <MailedLinkPage kind="cancel" token={typeof token === "string" ? token : undefined} />;
}
