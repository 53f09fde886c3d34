/** The Simplified Chinese catalogue (keys and placeholders as messages-en.ts). */
import type { Catalogue } from './messages-en';

export const zhCN: Catalogue = {
  'language.label': '语言',
  'app.skipToContent': '跳到主要内容',
  'app.keyboardShortcuts': '键盘快捷键',
  'view.overview': '概览',
  'view.changes': '变更',
  'view.merged': '合并视图',
  'view.history': '历史',
  'view.config': '配置',
  'view.tablist': '视图',
  'count.files.one': '{count} 个文件',
  'count.files.other': '{count} 个文件',
};
