import { Duration, Token, Tokenization } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../../private/errors';

/** A value as error messages show it: numbers as written (Infinity, NaN), anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value ?? null);
}

/** A number as Auth reads it from its environment; a token stays a token. */
export function numberEnv(value: number): string {
  return Tokenization.stringifyNumber(value);
}

/** Throws unless `value` is a whole number from `min` to `max` (inclusive). Tokens are skipped. */
export function checkWholeNumber(scope: Construct, prop: string, value: number, min: number, max: number | undefined, why: string) {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
    throw configError(scope, `\`${prop}\` is ${shown(value)}; it must be ${range}: ${why}`);
  }
}

/** Throws unless `value` is a finite number of at least 0. Tokens are skipped. */
export function checkNonNegative(scope: Construct, prop: string, value: number) {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw configError(scope, `\`${prop}\` is ${shown(value)}; it must be a number of at least 0. Leave it out for Auth's default.`);
  }
}

/**
 * The whole seconds of `duration`, after checking them against `minSeconds` (a token is returned as is, unchecked).
 * `why` ends the error message: what the bound is for.
 */
export function wholeSeconds(scope: Construct, prop: string, duration: Duration, minSeconds: number, why: string): string {
  if (duration.isUnresolved()) {
    return numberEnv(duration.toSeconds());
  }
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds) {
    throw configError(scope, `\`${prop}\` is ${duration.toHumanString()}; it must be whole seconds, at least ${minSeconds === 0 ? '0' : Duration.seconds(minSeconds).toHumanString()}: ${why}`);
  }
  return String(seconds);
}

/** Throws when `value` is blank or not a string. Tokens are skipped. */
export function checkText(scope: Construct, prop: string, value: string, fix: string) {
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(value ?? null)}. ${fix}`);
  }
}

/**
 * Throws when a one-line Go template (an email subject, an SMS text) is blank, spans lines or has unbalanced `{{`
 * and `}}`. `failure` says what Auth does with a template it cannot parse. Tokens are skipped.
 */
export function checkGoTemplateLine(scope: Construct, prop: string, value: string, example: string, failure: string) {
  checkText(scope, prop, value, `Give the text, e.g. '${example}', or leave it out for Auth's default.`);
  if (Token.isUnresolved(value)) {
    return;
  }
  if (/[\r\n]/.test(value)) {
    throw configError(scope, `\`${prop}\` spans several lines (${JSON.stringify(value)}); give one line, e.g. '${example}'.`);
  }
  if (value.split('{{').length !== value.split('}}').length) {
    throw configError(scope, `\`${prop}\` is '${value}', whose \`{{\` and \`}}\` do not pair up: Auth reads it as a Go template and ${failure} when it cannot parse it. E.g. '${example}'.`);
  }
}
