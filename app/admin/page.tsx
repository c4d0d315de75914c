import { UsersAdmin } from "@/components/users-admin";

export const metadata = { title: "Admin · Sign-in system" };

export default function AdminPage() {
  return <UsersAdmin />;
}
