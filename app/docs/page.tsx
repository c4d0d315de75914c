import { ApiDocs } from "@/components/api-docs";

export const metadata = { title: "API docs · Sign-in system" };

export default function DocsPage() {
  return <ApiDocs />;
}
