// Unknown API paths answer in the API's own shape instead of an HTML 404 page.
import { errors } from "@/lib/http/errors";
import { handle } from "@/lib/http/handler";

const notFound = handle(async () => {
  throw errors.notFound("Not Found");
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
