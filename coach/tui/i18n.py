"""UI strings in Chinese and English. Scenario text is localized by `coach.scenario.model.localize`.

Every string here is plain text, never markup: screens put them into `rich.text.Text` or
`Static(..., markup=False)` like scenario text, so a translation can hold brackets safely.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")

S: dict[str, tuple[str, str]] = {
    # library
    "library": ("场景库", "Scenario library"),
    "col_title": ("场景", "Scenario"),
    "col_type": ("客户类型", "Customer"),
    "col_level": ("难度", "Level"),
    "col_focus": ("重点原则", "Focus principles"),
    "col_best": ("最佳/最近", "Best/last"),
    "search": ("搜索…(/)", "Search… (/)"),
    "filter": ("类型（t）：{t}", "Type (t): {t}"),
    "all_types": ("全部", "all"),
    "line_filter": ("业务（b）：{b}", "Business line (b): {b}"),
    "no_match": ("没有符合条件的场景。", "No scenario matches."),
    "broken": ("无法加载的文件 ({n}):", "Files that failed to load ({n}):"),
    "count": ("{n} 个场景", "{n} scenarios"),
    "due_n": ("{n} 项待复习 (r)", "{n} due (r)"),
    "loading": ("正在读取场景库…", "Reading the library…"),
    "checking": ("正在检查场景 {done}/{total}…", "Checking scenarios {done}/{total}…"),
    # briefing
    "briefing": ("客户简报", "Briefing"),
    "customer": ("客户", "Customer"),
    "type": ("类型", "Type"),
    "advice": ("文章建议", "The article advises"),
    "profile": ("已知情况", "What you know"),
    "wants": ("来意", "Wants"),
    "focus": ("本场重点", "Focus"),
    "difficulty": ("难度", "Difficulty"),
    "start_hint": ("回车 开始 · Esc 返回场景库", "Enter start · Esc back to the library"),
    "mode_practice": ("练习模式：每步即时反馈，可撤回", "Practice: feedback after each choice, take-backs allowed"),
    "mode_assess": ("测评模式：结束前无反馈，不能撤回，选项顺序随机", "Assessment: no feedback until the end, no take-backs, choices shuffled"),
    "mode_name_practice": ("练习", "practice"),
    "mode_name_assess": ("测评", "assessment"),
    # conversation
    "situation": ("情境", "Situation"),
    "says": ("客户说", "Customer says"),
    "you": ("你", "You"),
    "transcript": ("对话记录", "Conversation so far"),
    "choose": ("你的选择（1–{n} 或 方向键+回车）", "Your move (1–{n}, or arrows + Enter)"),
    "mood": ("情绪", "Mood"),
    "turn": ("第 {n} 步", "Move {n}"),
    # mood words, calm … furious
    "mood_0": ("平静", "calm"),
    "mood_1": ("还好", "settled"),
    "mood_2": ("不安", "uneasy"),
    "mood_3": ("不满", "upset"),
    "mood_4": ("愤怒", "furious"),
    # feedback
    "good": ("好的选择", "Good choice"),
    "fair": ("部分正确", "Partly right"),
    "poor": ("欠佳的选择", "Poor choice"),
    "critical": ("严重错误", "Critical mistake"),
    "critical_why": ("这一步违反了保护客户或银行的规定，无论得分多少，都不能算可以上岗。",
                     "This move breaks a rule that protects the customer or the bank: not ready, whatever the score."),
    "partly_tag": ("部分正确", "partly right"),
    "points": ("各原则得分", "Points per principle"),
    "no_points": ("（这一步没有原则得分）", "(no principle points at this step)"),
    "rule_kept": ("遵守了规则", "Rule kept"),
    "rule_broken": ("违反了规则", "Rule broken"),
    "mood_change": ("客户情绪 {a} → {b}", "Customer's mood {a} → {b}"),
    "best_was": ("最好的选择：", "The best move: "),
    "continue": ("回车/空格 继续 · u 撤回这一步", "Enter/Space continue · u take it back"),
    # debrief
    "debrief": ("复盘", "Debrief"),
    "overall": ("总分 {o}/100 · 合格线 {p}", "Overall {o}/100 · pass mark {p}"),
    "ready": ("结论：可以上岗", "Verdict: ready"),
    "review": ("结论：需要复习", "Verdict: review"),
    "by_principle": ("按原则", "By principle"),
    "by_phase": ("按阶段", "By phase"),
    "outcome": ("结果", "Outcome"),
    "mood_trail": ("情绪变化", "Mood trail"),
    "your_moves": ("你的每一步", "Your moves"),
    "best_alt": ("更好的做法：", "Better: "),
    "critical_first": ("严重错误 · 无论总分多少都不能上岗", "Critical mistakes · not ready, whatever the score"),
    "weak": ("需要加强的原则 · 文章原文", "Principles to review · the article says"),
    "rules_fired": ("文章的规则", "The article's rules"),
    "debrief_keys": ("r 再练一次 · l 场景库 · q 退出", "r retry · l library · q quit"),
    # help
    "help": ("帮助", "Help"),
    "keys": ("本页按键", "Keys on this screen"),
    "scoring": ("怎样计分", "How scoring works"),
    "scoring_text": (
        "每个选择按文章的原则得分（-3 到 3）。每个原则的得分 = 你得到的分数 ÷ 所走路径上每一步最好选择"
        "能得到的分数，换算成 0–100。文章的规则无论作者如何打分都会生效：先安抚再解释；投诉不止于解决；"
        "不敷衍；因客户类型而异。得到部分分数的选择是「部分正确」。总分 80 以上、且没有严重错误"
        "（违反保护客户或银行的规定）为「可以上岗」。",
        "Each choice earns points on the article's principles (-3 to 3). A principle's score is what you "
        "earned over what the best choice at each step of your path offered, as 0–100. The article's rules "
        "apply whatever the author's points say: soothe before explaining, a complaint does not end at the "
        "fix, no perfunctory answers, serve each customer type as the article says. A choice earning part "
        "of the best points is 'partly right'. 80 or more overall, with no critical mistake (breaking a "
        "rule that protects the customer or the bank), is 'ready'.",
    ),
    "global_keys": (
        "? / F1 帮助 · F2 切换中英文 · Ctrl+P 命令面板 · Ctrl+Q 退出",
        "? / F1 help · F2 switch language · Ctrl+P command palette · Ctrl+Q quit",
    ),
    "close": ("Esc 关闭", "Esc close"),
    "mouse": ("也可以用鼠标点选。", "The mouse works too: click a choice."),
    # review and "say it yourself" (coach/tui/screens/review.py, say.py)
    "review_title": ("复习 · 第 {i}/{n} 项", "Review · item {i} of {n}"),
    "review_none": ("现在没有需要复习的内容。练习或自测中答错、答对一半的地方会在这里按间隔复习。",
                    "Nothing is due for review. Moments you get wrong or half-right in practice or the check come back here, spaced."),
    "review_no_store": ("复习需要练习记录数据库。", "Review needs a history database."),
    "before": ("之前", "Before"),
    "reveal": ("回车 显示选项 · s 先用自己的话说 · Esc 结束复习", "Enter show the choices · s say it yourself first · Esc end the review"),
    "review_choose": ("1–9 选择 · s 用自己的话说 · Esc 结束复习", "1–9 choose · s say it yourself · Esc end the review"),
    "next_due": ("下次复习：{when}", "Back for review: {when}"),
    "in_minutes": ("{n} 分钟后", "in {n} minutes"),
    "in_minutes_1": ("1 分钟后", "in a minute"),
    "in_hours_1": ("1 小时后", "in an hour"),
    "in_days_1": ("1 天后", "tomorrow"),
    "in_hours": ("{n} 小时后", "in {n} hours"),
    "in_days": ("{n} 天后", "in {n} days"),
    "rating": ("评分：{r}", "Rating: {r}"),
    "rate_again": ("重来", "Again"),
    "rate_hard": ("困难", "Hard"),
    "rate_good": ("良好", "Good"),
    "rate_easy": ("轻松", "Easy"),
    "review_next": ("回车/空格 下一项", "Enter/Space next item"),
    "review_done": ("复习结束：复习了 {n} 项。", "Review done: {n} reviewed."),
    "due_tomorrow": ("到明天为止待复习：{n} 项", "Due by tomorrow: {n}"),
    "store_failed": ("无法写入练习记录：{e}。这一项没有记下，可以稍后再试。",
                     "Could not write to the history: {e}. This item was not recorded; try again later."),
    "review_done_keys": ("回车 返回场景库", "Enter back to the library"),
    "say_title": ("用自己的话说", "Say it yourself"),
    "say_prompt": ("你会对客户说什么？写一句柜台上真会说的话，回车提交 · Esc 取消",
                   "What would you say to the customer? One sentence you would say at the counter; Enter submits · Esc cancels"),
    "say_placeholder": ("你的回答…", "Your reply…"),
    "yours": ("你的回答", "Your reply"),
    "best_answer": ("最好的回答", "The best answer"),
    "has": ("有", "Has"),
    "lacks": ("缺少", "Lacks"),
    "hurts": ("伤人的说法", "Hurts"),
    "no_markers": ("这一步还没有标记词。", "This step has no markers yet."),
    "too_long": ("你的回答比柜台上的一句话长得多：客户记不住，说短一点。",
                 "Your reply is far longer than a counter sentence: the customer won't take it in; say it shorter."),
    "markers_note": ("标记词只是参考，不计分；请你自己评分。", "Markers are advice, not a score: rate yourself."),
    "self_rate": ("自评：1 重来 · 2 困难 · 3 良好 · 4 轻松", "Rate yourself: 1 Again · 2 Hard · 3 Good · 4 Easy"),
    "modes": ("两种模式（m 或命令面板切换）", "Two modes (m or the command palette switches)"),
    # quit
    "quit_q": ("练习还没结束。确定退出吗？", "The session is not finished. Quit anyway?"),
    "leave_q": ("练习还没结束。确定离开这个场景吗？", "The session is not finished. Leave it?"),
    "leave_keys": ("y 离开 · n 继续练习", "y leave · n keep going"),
    "quit_keys": ("y 退出 · n 继续练习", "y quit · n keep going"),
    "end_check_q": ("自测还没结束。现在结束吗？这次自测不会给出结论。",
                    "The check is not finished. End it now? It will give no verdict."),
    "end_check_keys": ("y 结束 · n 继续自测", "y end it · n keep going"),
    # palette
    "cmd_lang": ("切换语言（中文/English）", "Switch language (中文/English)"),
    "cmd_lang_help": ("界面和场景文字切换中英文", "Show the interface and scenarios in the other language"),
    "cmd_mode": ("切换模式（练习/测评）", "Switch mode (practice/assessment)"),
    "cmd_mode_help": ("下一次开始场景时生效", "Takes effect when the next scenario starts"),
    "cmd_open": ("打开场景：", "Open scenario: "),
    "cmd_library": ("返回场景库", "Back to the library"),
    "mode_now": ("模式：{m}", "Mode: {m}"),
}

# The keys each screen lists in its help (zh, en).
HELP_KEYS: dict[str, tuple[str, str]] = {
    "library": (
        "↑↓ 选择 · 回车 打开 · / 搜索 · t 按类型筛选 · b 按业务筛选 · Esc 清除 · m 模式 · h 练习记录 · c 上岗自测 · r 复习 · ? 帮助 · q 退出",
        "↑↓ move · Enter open · / search · t filter by type · b by business line · Esc clear · m mode · h history · c pre-shift check · r review · ? help · q quit",
    ),
    "briefing": ("回车/空格 开始 · m 切换模式 · Esc 返回场景库", "Enter/Space start · m switch mode · Esc back to the library"),
    "conversation": (
        "1–9 或 ↑↓+回车 选择 · s 用自己的话说 · u/退格 撤回上一步 · Esc 场景库 · ? 帮助 · q 退出",
        "1–9 or ↑↓+Enter choose · s say it yourself · u/Backspace take back · Esc library · ? help · q quit",
    ),
    "review": (
        "回车 显示选项 · 1–9 选择 · s 用自己的话说 · Esc 结束复习 · ? 帮助",
        "Enter show the choices · 1–9 choose · s say it yourself · Esc end the review · ? help",
    ),
    "say": ("输入回答，回车提交 · Esc 取消 · 然后 1–4 自评", "Type your reply, Enter submits · Esc cancels · then 1–4 rate yourself"),
    "feedback": ("回车/空格 继续 · u/退格 撤回这一步", "Enter/Space continue · u/Backspace take it back"),
    "debrief": ("r 再练一次 · l 场景库 · q 退出 · ↑↓/PgUp/PgDn 滚动", "r retry · l library · q quit · ↑↓/PgUp/PgDn scroll"),
    "check": ("1–9 或 ↑↓+回车 选择（不能撤回，结束时才有反馈） · Esc 提前结束（会先询问） · ? 帮助",
              "1–9 or ↑↓+Enter choose (no take-backs, feedback at the end) · Esc end early (asks first) · ? help"),
    "verdict": ("回车/Esc/q 关闭 · ↑↓ 滚动", "Enter/Esc/q close · ↑↓ scroll"),
}


def t(key: str, lang: str, **kw: object) -> str:
    """The UI string `key` in `lang`, formatted with `kw`."""
    text = S[key][0 if lang == "zh" else 1]
    return text.format(**kw) if kw else text


def pair(p: tuple[str, str], lang: str) -> str:
    return p[0] if lang == "zh" else p[1]


def default_lang(environ: "os._Environ[str] | dict[str, str] | None" = None) -> str:
    """zh when the locale says Chinese (LC_ALL, then LC_MESSAGES, then LANG), else en."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"
