// The other owners' business settings (issue 14 items 5, 7): notify's templates, support's calendar overrides and
// the gateway's security policy. Staff read them; admins change them (the services answer 403 otherwise).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export function useTemplates() {
  return useQuery({ queryKey: ["staff", "templates"], queryFn: async () => unwrap(await api.GET("/api/notify/staff/templates")) });
}

export function useTemplate(kind: string, language: string) {
  return useQuery({
    queryKey: ["staff", "templates", kind, language],
    enabled: kind !== "",
    queryFn: async () => unwrap(await api.GET("/api/notify/staff/templates/{kind}/{language}", { params: { path: { kind, language } } })),
  });
}

type Sources = { text_source: string; html_source: string };

export function usePreviewTemplate(kind: string, language: string) {
  return useMutation({
    mutationFn: async (body: Partial<Sources>) =>
      unwrap(await api.POST("/api/notify/staff/templates/{kind}/{language}/preview", { params: { path: { kind, language } }, body })),
  });
}

export function useSaveTemplate(kind: string, language: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Sources) =>
      unwrap(await api.PUT("/api/notify/staff/templates/{kind}/{language}", { params: { path: { kind, language } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff", "templates"] }),
  });
}

export function useResetTemplate(kind: string, language: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/api/notify/staff/templates/{kind}/{language}", { params: { path: { kind, language } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff", "templates"] }),
  });
}

export function useCalendarOverrides() {
  return useQuery({ queryKey: ["staff", "calendar"], queryFn: async () => unwrap(await api.GET("/api/support/calendar/overrides")) });
}

export function useSetOverride() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ day, kind, note }: { day: string; kind: "day_off" | "working_day"; note: string }) =>
      unwrap(await api.PUT("/api/support/calendar/overrides/{day}", { params: { path: { day } }, body: { kind, note } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff", "calendar"] }),
  });
}

export function useRemoveOverride() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (day: string) => unwrap(await api.DELETE("/api/support/calendar/overrides/{day}", { params: { path: { day } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff", "calendar"] }),
  });
}

export function useSecurityPolicy() {
  return useQuery({ queryKey: ["staff", "security"], queryFn: async () => unwrap(await api.GET("/api/auth/security-policy")) });
}

export function useSetSecurityPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (require: boolean) => unwrap(await api.PUT("/api/auth/security-policy", { body: { require_staff_totp: require } })),
    onSuccess: (policy) => client.setQueryData(["staff", "security"], policy),
  });
}

export function useMyTotp() {
  return useQuery({ queryKey: ["me", "totp"], queryFn: async () => unwrap(await api.GET("/api/auth/totp")) });
}

export function useRecoveryCodes() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/auth/totp/recovery-codes")),
    onSuccess: () => client.invalidateQueries({ queryKey: ["me", "totp"] }),
  });
}

/** My own TOTP from the console (even with the policy off): the password again; confirmed by the next sign-in's code. */
export function useEnrolTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) => unwrap(await api.POST("/api/auth/totp/setup", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["me", "totp"] }),
  });
}

export function useStaffMembers() {
  return useQuery({ queryKey: ["staff", "members"], queryFn: async () => unwrap(await api.GET("/api/auth/staff/members")) });
}

/** Admin: another staff member lost their phone; their second factor goes and they enrol again (audited). */
export function useResetTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (userId: string) =>
      unwrap(await api.POST("/api/auth/users/{user_id}/totp/reset", { params: { path: { user_id: userId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff", "members"] }),
  });
}
