/** The characters Secrets Manager allows in a secret's name. */
export const SECRET_NAME_PATTERN = /^[a-zA-Z0-9/_+=.@-]+$/;
