import { HowItWorks } from "@/components/how-it-works";

export default function HomePage() {
  return <HowItWorks />;
}
