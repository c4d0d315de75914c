import { RecoverPasswordForm } from "@/components/recover-password-form";

export const metadata = { title: "Forgot password · Sign-in system" };

export default function RecoverPasswordPage() {
  return <RecoverPasswordForm />;
}
