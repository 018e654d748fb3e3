// The ideas board (issue 17, S-5): clients post ideas and vote once each; the 4th vote approves an idea; staff mark
// ideas planned or shipped. Every call below is answered by support-svc through the gateway.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export type Idea = components["schemas"]["support.IdeaPublic"];
export type IdeaStatus = "open" | "approved" | "planned" | "shipped";
export const IDEA_STATUSES: IdeaStatus[] = ["open", "approved", "planned", "shipped"];

export const ideaKeys = {
  all: ["ideas"] as const,
  list: (status: IdeaStatus | null) => [...ideaKeys.all, "list", status] as const,
};

export function useIdeas(status: IdeaStatus | null) {
  return useQuery({
    queryKey: ideaKeys.list(status),
    queryFn: async () => unwrap(await api.GET("/api/support/ideas", { params: { query: status ? { status } : {} } })),
  });
}

function useIdeaMutation<V>(call: (variables: V) => Promise<Idea>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: () => client.invalidateQueries({ queryKey: ideaKeys.all }) });
}

export function usePostIdea() {
  return useIdeaMutation(async (body: { title: string; body: string }) => unwrap(await api.POST("/api/support/ideas", { body })));
}

export function useVote() {
  return useIdeaMutation(async (id: string) =>
    unwrap(await api.POST("/api/support/ideas/{idea_id}/vote", { params: { path: { idea_id: id } } })),
  );
}

export function useSetIdeaStatus() {
  return useIdeaMutation(async ({ id, status }: { id: string; status: "planned" | "shipped" }) =>
    unwrap(await api.POST("/api/support/ideas/{idea_id}/status", { params: { path: { idea_id: id } }, body: { status } })),
  );
}
