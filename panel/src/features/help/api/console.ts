// Staff's side of the knowledge base (issue 17, S-5): categories, every article (drafts too) to write, edit and
// publish in Markdown, and the searches that found nothing (the articles to write next).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

import { helpKeys } from "./index";

type Schemas = components["schemas"];
export type ArticleWrite = Schemas["support.ArticleWrite"];
export type ArticleSummary = Schemas["support.ArticleSummary"];
export type Category = Schemas["support.CategoryPublic"];
export type Missed = Schemas["support.UnansweredSearch"];

const keys = {
  all: [...helpKeys.all, "console"] as const,
  categories: () => [...helpKeys.all, "console", "categories"] as const,
  articles: () => [...helpKeys.all, "console", "articles"] as const,
  article: (id: string) => [...helpKeys.all, "console", "article", id] as const,
  missed: () => [...helpKeys.all, "console", "missed"] as const,
};

export function useCategories() {
  return useQuery({ queryKey: keys.categories(), queryFn: async () => unwrap(await api.GET("/api/support/kb/categories")) });
}

export function useAllArticles() {
  return useQuery({ queryKey: keys.articles(), queryFn: async () => unwrap(await api.GET("/api/support/kb/drafts", { params: { query: { limit: 100 } } })) });
}

export function useEditedArticle(id: string | null) {
  return useQuery({
    queryKey: keys.article(id ?? ""),
    queryFn: async () => unwrap(await api.GET("/api/support/kb/drafts/{article_id}", { params: { path: { article_id: id ?? "" } } })),
    enabled: !!id,
  });
}

export function useMissedSearches() {
  return useQuery({ queryKey: keys.missed(), queryFn: async () => unwrap(await api.GET("/api/support/kb/unanswered-searches")) });
}

/** Anything written here changes what clients find: the help pages' queries are refetched too. */
function useKbMutation<V, R>(call: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: () => client.invalidateQueries({ queryKey: helpKeys.all }) });
}

export function usePutCategory() {
  return useKbMutation(async ({ slug, name_es, name_en }: { slug: string; name_es: string; name_en: string }) =>
    unwrap(await api.PUT("/api/support/kb/categories/{slug}", { params: { path: { slug } }, body: { name_es, name_en } })),
  );
}

export function useSaveArticle() {
  return useKbMutation(async ({ id, body }: { id: string | null; body: ArticleWrite }) =>
    id
      ? unwrap(await api.PUT("/api/support/kb/articles/{article_id}", { params: { path: { article_id: id } }, body }))
      : unwrap(await api.POST("/api/support/kb/articles", { body })),
  );
}
