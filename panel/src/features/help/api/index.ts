// Help (issue 17, S-5 and S-8): knowledge-base search and articles (no login needed on the service side) and the help
// bot, which answers from the knowledge base and, when that does not solve it, hands off to a support ticket.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type SearchHit = Schemas["support.SearchHit"];
export type Article = Schemas["support.ArticlePublic"];
export type Conversation = Schemas["support.BotConversationPublic"];
export type Language = "es" | "en";

export const helpKeys = {
  all: ["help"] as const,
  search: (q: string) => [...helpKeys.all, "search", q] as const,
  article: (id: string) => [...helpKeys.all, "article", id] as const,
  categories: () => [...helpKeys.all, "categories"] as const,
  byCategory: (category: string, language: Language) => [...helpKeys.all, "by-category", category, language] as const,
};

/** The knowledge base's categories (no login needed), to browse articles by topic. */
export function useKbCategories() {
  return useQuery({ queryKey: helpKeys.categories(), queryFn: async () => unwrap(await api.GET("/api/support/kb/categories")) });
}

/** The published articles of one category in the reader's language. */
export function useCategoryArticles(category: string, language: Language) {
  return useQuery({
    queryKey: helpKeys.byCategory(category, language),
    queryFn: async () => unwrap(await api.GET("/api/support/kb/articles", { params: { query: { category, language } } })),
    enabled: category.length > 0,
  });
}

export function useKbSearch(q: string) {
  return useQuery({
    queryKey: helpKeys.search(q),
    queryFn: async () => unwrap(await api.GET("/api/support/kb/search", { params: { query: { q } } })),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useArticle(id: string) {
  return useQuery({
    queryKey: helpKeys.article(id),
    queryFn: async () => unwrap(await api.GET("/api/support/kb/articles/{article_id}", { params: { path: { article_id: id } } })),
  });
}

export function useAsk() {
  return useMutation({
    mutationFn: async ({ id, message, language }: { id: string | null; message: string; language: Language }) =>
      id
        ? unwrap(await api.POST("/api/support/bot/conversations/{conversation_id}/messages", { params: { path: { conversation_id: id } }, body: { message, language } }))
        : unwrap(await api.POST("/api/support/bot/conversations", { body: { message, language } })),
  });
}

export function useSolved() {
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/support/bot/conversations/{conversation_id}/solved", { params: { path: { conversation_id: id } } })),
  });
}

/** Hand off to a ticket: the support pages' lists are stale afterwards. */
export function useHandoff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/support/bot/conversations/{conversation_id}/handoff", { params: { path: { conversation_id: id } }, body: {} })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["support"] }),
  });
}
