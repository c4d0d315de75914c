import { EnrolSecondFactor } from "@/components/enrol-second-factor";

export const metadata = { title: "Set up two-factor authentication · Sign-in system" };

export default async function EnrolPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <EnrolSecondFactor next={typeof next === "string" ? next : undefined} />;
}
