import { useSearchParams } from "react-router";

import { AuthLayout } from "@/components/layouts/app-layout";
import { SignUpForm } from "@/features/auth/components/sign-up-form";

export default function SignUpRoute() {
  const [params] = useSearchParams();
  return (
    <AuthLayout>
      <SignUpForm referralCode={params.get("ref") ?? undefined} />
    </AuthLayout>
  );
}
