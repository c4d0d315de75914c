import { Signup } from "@/lib/api/schemas";
import { handle, json, otherMethods, parseJson } from "@/lib/http/handler";
import { signUp, toUserPublic } from "@/lib/users";

export const POST = handle(async (request) => {
  const user = await signUp(await parseJson(request, Signup));
  return json(toUserPublic(user), 201);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
