import { handlers } from "@/lib/accounts/authjs";

export const { GET, POST, PUT, PATCH, DELETE } = handlers;
