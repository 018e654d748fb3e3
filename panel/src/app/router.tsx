import { createBrowserRouter, RouterProvider } from "react-router";

import AppRoute from "./routes/app";
import ForgotPasswordRoute from "./routes/auth/forgot-password";
import ResetPasswordRoute from "./routes/auth/reset-password";
import SignInRoute from "./routes/auth/sign-in";
import SignUpRoute from "./routes/auth/sign-up";
import VerifyEmailRoute from "./routes/auth/verify-email";
import HomeRoute from "./routes/home";
import NotFoundRoute from "./routes/not-found";

// Paths are those the platform's e-mails link to (/verify-email, /reset-password, /invoices/<id>).
const router = createBrowserRouter([
  { path: "/sign-in", Component: SignInRoute },
  { path: "/sign-up", Component: SignUpRoute },
  { path: "/verify-email", Component: VerifyEmailRoute },
  { path: "/forgot-password", Component: ForgotPasswordRoute },
  { path: "/reset-password", Component: ResetPasswordRoute },
  {
    path: "/",
    Component: AppRoute,
    children: [
      { index: true, Component: HomeRoute },
      { path: "*", Component: NotFoundRoute },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
