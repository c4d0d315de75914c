import { EmailChangeLink } from "@/components/email-change-link";

export const dynamic = "force-dynamic";
export const metadata = { title: "Cancel email change · Sign-in system", referrer: "no-referrer" };

export default async function CancelEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return <EmailChangeLink action="cancel" token={typeof token === "string" ? token : undefined} />;
}
