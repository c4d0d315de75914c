/**
 * Every mail the app sends, in one place: React Email components rendered to HTML, with the plain-text
 * part derived from the same render (so the two never disagree). A template gets only what it shows;
 * links arrive fully built (lib/mail/links.ts).
 *
 * Each component comes from its own package, not from the `@react-email/components` bundle: that one
 * also loads the code-block (Prism), Markdown and Tailwind components, which made loading the mail
 * thread, at every server start, take twice the CPU (1.25 s against 0.67 s).
 */
import type { ReactNode } from "react";
import { Body } from "@react-email/body";
import { Button } from "@react-email/button";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Heading } from "@react-email/heading";
import { Hr } from "@react-email/hr";
import { Html } from "@react-email/html";
import { Link } from "@react-email/link";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { render } from "@react-email/render";

export type RenderedMail = { subject: string; html: string; text: string };

const page = { backgroundColor: "#f5f6f8", fontFamily: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" };
const card = { backgroundColor: "#ffffff", borderRadius: "8px", margin: "24px auto", maxWidth: "520px", padding: "24px 32px" };
const button = {
  backgroundColor: "#2456d6",
  borderRadius: "6px",
  color: "#ffffff",
  display: "inline-block",
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
};
const small = { color: "#5b6270", fontSize: "13px", lineHeight: "20px" };

function Layout({ appName, preview, title, children }: { appName: string; preview: string; title: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={page}>
        <Container style={card}>
          <Heading as="h1" style={{ fontSize: "22px", margin: "0 0 16px" }}>
            {title}
          </Heading>
          {children}
          <Hr />
          <Text style={small}>{appName}</Text>
        </Container>
      </Body>
    </Html>
  );
}

/** A button, and the same link spelled out for clients that show no buttons (and for the text part). */
function Action({ href, label }: { href: string; label: string }) {
  return (
    <>
      <Section style={{ margin: "20px 0" }}>
        <Button href={href} style={button}>
          {label}
        </Button>
      </Section>
      <Text style={small}>
        Or open this link: <Link href={href}>{href}</Link>
      </Text>
    </>
  );
}

const lifetime = (seconds: number) => {
  const hours = seconds / 3600;
  if (hours >= 1 && Number.isInteger(hours)) return hours === 1 ? "1 hour" : `${hours} hours`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
};

type Common = { appName: string };

export const templates = {
  recovery: ({ appName, email, link, validSeconds }: Common & { email: string; link: string; validSeconds: number }) => ({
    subject: `${appName} - Password recovery for ${email}`,
    body: (
      <Layout appName={appName} preview="Reset your password" title="Reset your password">
        <Text>Someone (hopefully you) asked to reset the password of the account {email}.</Text>
        <Action href={link} label="Choose a new password" />
        <Text style={small}>
          The link works once and for {lifetime(validSeconds)}. If you did not ask for it, ignore this mail: your
          password stays as it is.
        </Text>
      </Layout>
    ),
  }),

  passwordChanged: ({ appName, email, recoverLink }: Common & { email: string; recoverLink: string }) => ({
    subject: `${appName} - Your password was changed`,
    body: (
      <Layout appName={appName} preview="Your password was changed" title="Your password was changed">
        <Text>The password of the account {email} was just changed, and every device signed in to it was signed out.</Text>
        <Text>If that was not you, reset your password now and check the account&apos;s recent activity:</Text>
        <Action href={recoverLink} label="Reset my password" />
      </Layout>
    ),
  }),

  verification: ({ appName, email, link, validSeconds }: Common & { email: string; link: string; validSeconds: number }) => ({
    subject: `${appName} - Confirm your email address`,
    body: (
      <Layout appName={appName} preview="Confirm your email address" title="Confirm your email address">
        <Text>Confirm that {email} is your address:</Text>
        <Action href={link} label="Confirm my email" />
        <Text style={small}>
          The link works once and for {lifetime(validSeconds)}. If you did not create an account or change its
          address, ignore this mail.
        </Text>
      </Layout>
    ),
  }),

  emailChanged: ({ appName, oldEmail, newEmail, recoverLink }: Common & { oldEmail: string; newEmail: string; recoverLink: string }) => ({
    subject: `${appName} - Your email address was changed`,
    body: (
      <Layout appName={appName} preview="Your email address was changed" title="Your email address was changed">
        <Text>
          The account that used {oldEmail} now uses {newEmail}. Mail about the account goes to the new address from now
          on.
        </Text>
        <Text>If you did not make this change, someone else may hold your account: contact the administrator.</Text>
        <Text style={small}>
          While the old password still works, you can also sign in and change it back: <Link href={recoverLink}>{recoverLink}</Link>
        </Text>
      </Layout>
    ),
  }),

  emailChangeConfirm: ({
    appName,
    oldEmail,
    newEmail,
    link,
    validSeconds,
  }: Common & { oldEmail: string; newEmail: string; link: string; validSeconds: number }) => ({
    subject: `${appName} - Confirm your new email address`,
    body: (
      <Layout appName={appName} preview="Confirm your new email address" title="Confirm your new email address">
        <Text>
          The account {oldEmail} asked to use {newEmail} from now on. Confirm that this address is yours to make the
          change:
        </Text>
        <Action href={link} label="Confirm my new address" />
        <Text style={small}>
          The link works once and for {lifetime(validSeconds)}. Until it is used the account keeps {oldEmail} for
          signing in and recovery. If you did not ask for this, ignore this mail: nothing changes.
        </Text>
      </Layout>
    ),
  }),

  emailChangeNotice: ({
    appName,
    oldEmail,
    newEmail,
    cancelLink,
    validSeconds,
  }: Common & { oldEmail: string; newEmail: string; cancelLink: string; validSeconds: number }) => ({
    subject: `${appName} - A change of your email address was requested`,
    body: (
      <Layout appName={appName} preview="Your email address is about to change" title="Your email address is about to change">
        <Text>
          Someone signed in to the account {oldEmail} asked to move it to {newEmail}. The change happens only when
          that address confirms it; until then the account keeps {oldEmail}.
        </Text>
        <Text>If that was not you, undo it: the account goes back to {oldEmail} and every device is signed out.</Text>
        <Action href={cancelLink} label="This was not me: undo the change" />
        <Text style={small}>
          The link works once and for {lifetime(validSeconds)}, even after the new address has confirmed the change.
        </Text>
      </Layout>
    ),
  }),

  emailInUse: ({ appName, email, signInLink }: Common & { email: string; signInLink: string }) => ({
    subject: `${appName} - Someone tried to use your email address`,
    body: (
      <Layout appName={appName} preview="Someone tried to use your email address" title="Someone tried to use your email address">
        <Text>
          Another account asked to change its address to {email}, which already belongs to your account. Nothing was
          changed and your account is unaffected: there is nothing you need to do.
        </Text>
        <Text style={small}>
          Your account, as always: <Link href={signInLink}>{signInLink}</Link>
        </Text>
      </Layout>
    ),
  }),

  invitation: ({ appName, email, link, validSeconds }: Common & { email: string; link: string; validSeconds: number }) => ({
    subject: `${appName} - An account was created for you`,
    body: (
      <Layout appName={appName} preview="Choose your password" title="Welcome">
        <Text>An administrator created an account for {email}. Choose your password to start using it:</Text>
        <Action href={link} label="Choose my password" />
        <Text style={small}>
          The link works once and for {lifetime(validSeconds)}. After that, use &quot;Forgot password?&quot; on the
          sign-in page.
        </Text>
      </Layout>
    ),
  }),

  /** A change to the account's second factors (turned off, reset, a recovery code used): a notice, no link to act on. */
  secondFactorNotice: ({ appName, email, title, what }: Common & { email: string; title: string; what: string }) => ({
    subject: `${appName} - ${title}`,
    body: (
      <Layout appName={appName} preview={title} title={title}>
        <Text>{what}</Text>
        <Text>
          Account: {email}. If that was not you, change your password now, then turn two-factor authentication on again
          from your settings and check the account&apos;s recent activity.
        </Text>
      </Layout>
    ),
  }),

  test: ({ appName }: Common) => ({
    subject: `${appName} - Test email`,
    body: (
      <Layout appName={appName} preview="Test email" title="Test email">
        <Text>This is a test email: the mail settings work.</Text>
      </Layout>
    ),
  }),
};

export type TemplateName = keyof typeof templates;

/** A template's subject, HTML and plain text. */
export async function renderMail(mail: { subject: string; body: ReactNode }): Promise<RenderedMail> {
  const [html, text] = await Promise.all([render(mail.body), render(mail.body, { plainText: true })]);
  return { subject: mail.subject, html, text };
}
