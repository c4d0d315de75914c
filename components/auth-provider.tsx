"use client";
/**
 * Rehydrates the signed-in state on every page load: reads the stored token (or mints one from the
 * sign-in session), loads the user, and follows token changes made in other tabs.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import type { UserPublicT } from "@/lib/schemas";
import { apiJson, SignedOutError } from "@/lib/client/api";
import {
  clearToken,
  ensureToken,
  takeSignOutReason,
  MIN_REMAINING_SECONDS,
  mintFromSession,
  readToken,
  redirectToSignIn,
  subscribe,
  type StoredToken,
} from "@/lib/client/token-store";

type AuthState =
  | { status: "loading"; user: null; token: null }
  | { status: "signed-out"; user: null; token: null }
  | { status: "signed-in"; user: UserPublicT; token: StoredToken };

type AuthContextValue = AuthState & { reload: () => Promise<void> };

const AuthContext = createContext<AuthContextValue | null>(null);

const loading: AuthState = { status: "loading", user: null, token: null };
const signedOut: AuthState = { status: "signed-out", user: null, token: null };

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(loading);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  const reload = useCallback(async () => {
    const current = await ensureToken();
    if (!current.ok) {
      setState(signedOut);
      return;
    }
    try {
      const user = await apiJson<UserPublicT>("/api/v1/users/me");
      setState({ status: "signed-in", user, token: readToken() ?? current.token });
    } catch (error) {
      if (!(error instanceof SignedOutError)) setState(signedOut);
    }
  }, []);

  useEffect(() => {
    void reload();
    return subscribe((token) => {
      if (!token) {
        setState(signedOut);
        return;
      }
      const previous = stateRef.current;
      // A token refreshed in another tab for the same user: adopt it; anything else: load the user.
      if (previous.status === "signed-in" && previous.user.id === token.sub) setState({ ...previous, token });
      else void reload();
    });
  }, [reload]);

  // Coming back to a tab asks the server again, so a sign-in ended meanwhile (revoked, account
  // deactivated) shows at once rather than at the next action.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible" && stateRef.current.status === "signed-in") void reload();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [reload]);

  // While the page stays open, replace the token shortly before it runs out, so that it never shows as
  // expired. A sign-in that has ended meanwhile (signed out everywhere, revoked) signs this tab out.
  const signedInToken = state.status === "signed-in" ? state.token : null;
  useEffect(() => {
    if (!signedInToken) return;
    const due = (signedInToken.exp - MIN_REMAINING_SECONDS) * 1000 - Date.now();
    const timer = window.setTimeout(
      () => {
        void mintFromSession().then((minted) => {
          if (!minted.ok && minted.reason) clearToken(minted.reason);
        });
      },
      // At least a second apart, even with a clock that runs far ahead of the server's.
      Math.min(Math.max(due, 1000), 2 ** 31 - 1),
    );
    return () => window.clearTimeout(timer);
  }, [signedInToken]);

  return <AuthContext.Provider value={{ ...state, reload }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth needs <AuthProvider>");
  return value;
}

/** For pages that need a user: sends a signed-out visitor to the sign-in page, saying why. */
export function useRequireAuth(): AuthContextValue {
  const auth = useAuth();
  useEffect(() => {
    if (auth.status === "signed-out") redirectToSignIn(takeSignOutReason());
  }, [auth.status]);
  return auth;
}
