#!/usr/bin/env python3
"""Generate realistic Chinese government portal policy pages for benchmarks.

usage: gen-pages.py --count N --out DIR [--seed S] [--gbk-share 0.2] [--jobs J]

Each page is a full 30-80 KB HTML document of the kind county and city portals
serve for a 政策文件: 政府网站发展指引 meta tags, a large header with nested
navigation menus, breadcrumbs, inline CSS/JS, one of six real metadata layouts
(rotated by page index), a long body of 第一条…第N条 prose, a 相关解读 link
block and a footer with 网站标识码 and 备案号.

Roughly one page in five carries exactly one fault:
  attribute-missing   no 公开属性 (nor the body note 此件公开发布)
  doc-number-brackets 发文字号 written with [] instead of 〔〕
  date-order          发布日期 before 成文日期
  topic-incomplete    主题分类 with only a first level
Every other page is meant to be compliant with RULES.md.

Output: DIR/page-NNNNN.html and DIR/manifest.tsv
(columns: file, bytes, charset, layout, fault).

Determinism: page i depends only on (seed, i, gbk-share), so the output is the
same byte for byte whatever --jobs is.  Python standard library only.
"""

import argparse
import datetime
import os
import random
import sys
import time

LAYOUTS = ("govcn", "trs", "shanghai", "gkmlpt", "gansu", "dl")
FAULTS = ("attribute-missing", "doc-number-brackets", "date-order",
          "topic-incomplete")
FAULT_SHARE = 0.2
MIN_BYTES = 30 * 1024
MAX_BYTES = 80 * 1024

# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------

# 国务院公文主题分类 (shared/reference/taxonomy-gov-cn.md)
TAXONOMY = [
    ("国务院组织机构", ["国务院", "国务院办公厅", "国务院组成部门", "国务院直属特设机构",
                  "国务院直属机构", "国务院办事机构", "国务院直属事业单位",
                  "国务院部委管理的国家局", "国务院议事协调机构", "其他"]),
    ("综合政务", ["政务公开", "政务督查", "应急管理", "电子政务", "文秘工作", "保密工作",
              "信访", "参事、文史", "其他"]),
    ("国民经济管理、国有资产监管", ["宏观经济", "经济体制改革", "统计", "物价", "国有资产监管",
                       "重大建设项目", "其他"]),
    ("财政、金融、审计", ["财政", "税务", "银行", "货币（含外汇）", "证券", "保险",
                  "社会信用体系建设", "审计", "其他"]),
    ("国土资源、能源", ["土地", "矿产", "水资源", "海洋", "煤炭", "石油与天然气", "电力", "其他"]),
    ("农业、林业、水利", ["农业、畜牧业、渔业", "林业", "水利", "其他"]),
    ("工业、交通", ["机械制造与重工业", "轻工纺织", "化工", "国防工业", "航天、航空",
               "信息产业（含电信）", "公路", "水运", "铁路", "民航", "邮政", "其他"]),
    ("商贸、海关、旅游", ["对外经贸合作", "国内贸易（含供销）", "海关", "检验、检疫", "旅游", "其他"]),
    ("市场监管、安全生产监管", ["工商", "质量监督", "标准", "食品药品监管", "安全生产监管", "其他"]),
    ("城乡建设、环境保护", ["城市规划", "城乡建设（含住房）", "环境监测、保护与治理",
                   "节能与资源综合利用", "气象、水文、测绘、地震", "其他"]),
    ("科技、教育", ["科技", "教育", "知识产权", "其他"]),
    ("文化、广电、新闻出版", ["文化", "文物", "新闻出版", "广播、电影、电视", "其他"]),
    ("卫生、体育", ["卫生", "医药管理", "体育", "其他"]),
    ("人口与计划生育、妇女儿童工作", ["人口与计划生育", "妇女儿童", "其他"]),
    ("劳动、人事、监察", ["劳动就业", "社会保障", "人事工作", "军转安置", "监察",
                  "纠正行业不正之风", "其他"]),
    ("公安、安全、司法", ["公安", "国家安全", "司法", "其他"]),
    ("民政、扶贫、救灾", ["减灾救灾", "优抚安置", "社会福利", "行政区划与地名", "社团管理", "扶贫", "其他"]),
    ("民族、宗教", ["民族事务", "宗教事务"]),
    ("对外事务", ["外交、外事", "国际条约、国际组织", "其他"]),
    ("港澳台侨工作", ["港澳工作", "对台工作", "侨务工作"]),
    ("国防", ["国防建设", "国防动员"]),
    ("其他", []),
]
TAXONOMY_MAP = dict(TAXONOMY)

# (topic first, topic second, issuing department suffix, doc-code suffix,
#  document subjects, area nouns used in the prose)
DOMAINS = [
    ("综合政务", "政务公开", "人民政府办公室", "政办发",
     ["政府信息公开工作实施细则", "政务公开工作考核办法", "政府信息公开保密审查办法",
      "政策解读工作实施办法", "政务新媒体管理办法", "依申请公开办理规范"],
     ["政府信息公开", "政策解读", "政务公开专区", "依申请公开", "保密审查", "政务新媒体",
      "政府网站", "公开目录"]),
    ("综合政务", "应急管理", "应急管理局", "应急",
     ["突发事件总体应急预案", "应急物资储备管理办法", "防汛抗旱应急预案",
      "自然灾害救助应急预案", "应急值守工作制度"],
     ["应急预案", "应急物资", "应急值守", "风险隐患排查", "应急演练", "防汛抗旱", "预警信息发布"]),
    ("综合政务", "电子政务", "数据资源管理局", "数据",
     ["政务数据共享管理办法", "一网通办建设实施方案", "电子证照应用管理办法",
      "政务服务事项标准化工作方案"],
     ["政务数据", "数据共享", "电子证照", "一网通办", "政务服务平台", "数据安全", "信息系统整合"]),
    ("财政、金融、审计", "财政", "财政局", "财",
     ["财政专项资金管理办法", "预算绩效管理实施办法", "政府采购内部控制管理办法",
      "国库集中支付管理暂行办法", "政府性债务风险应急处置预案"],
     ["专项资金", "预算绩效", "政府采购", "国库集中支付", "资金拨付", "绩效评价", "财政票据"]),
    ("财政、金融、审计", "社会信用体系建设", "发展和改革委员会", "发改",
     ["社会信用体系建设实施方案", "守信联合激励和失信联合惩戒实施办法",
      "信用修复管理办法"],
     ["信用信息", "守信激励", "失信惩戒", "信用修复", "信用承诺", "信用评价"]),
    ("国土资源、能源", "土地", "自然资源和规划局", "自然资规",
     ["国有建设用地使用权出让管理办法", "闲置土地处置办法", "耕地占补平衡管理办法",
      "农村宅基地管理暂行办法"],
     ["建设用地", "土地出让", "闲置土地", "耕地保护", "宅基地", "用地审批", "不动产登记"]),
    ("农业、林业、水利", "农业、畜牧业、渔业", "农业农村局", "农",
     ["高标准农田建设项目管理办法", "农业产业化龙头企业认定和运行监测管理办法",
      "畜禽养殖废弃物资源化利用实施方案", "农机购置补贴实施方案"],
     ["高标准农田", "龙头企业", "畜禽养殖", "农机购置补贴", "农产品质量安全", "家庭农场",
      "农民专业合作社"]),
    ("农业、林业、水利", "水利", "水利局", "水",
     ["河长制工作考核办法", "农村饮水安全工程运行管理办法", "水利工程建设质量管理办法"],
     ["河长制", "农村饮水安全", "水利工程", "水土保持", "取水许可", "河道采砂"]),
    ("农业、林业、水利", "林业", "林业局", "林",
     ["林长制实施方案", "森林防火工作责任制规定", "古树名木保护管理办法"],
     ["林长制", "森林防火", "古树名木", "林木采伐", "生态公益林", "林业有害生物防治"]),
    ("工业、交通", "公路", "交通运输局", "交",
     ["农村公路管理养护办法", "道路运输市场管理办法", "城乡客运一体化实施方案"],
     ["农村公路", "道路运输", "城乡客运", "公路养护", "超限超载治理", "交通安全设施"]),
    ("工业、交通", "信息产业（含电信）", "经济和信息化局", "经信",
     ["促进数字经济发展若干政策", "5G基站建设实施方案", "工业企业技术改造奖补办法"],
     ["数字经济", "基站建设", "技术改造", "工业互联网", "专精特新企业", "智能制造"]),
    ("商贸、海关、旅游", "旅游", "文化旅游体育局", "文旅",
     ["促进全域旅游发展若干措施", "旅游民宿管理办法", "A级旅游景区管理办法"],
     ["全域旅游", "旅游民宿", "旅游景区", "文旅融合", "乡村旅游", "旅游市场秩序"]),
    ("商贸、海关、旅游", "国内贸易（含供销）", "商务局", "商",
     ["促进消费若干措施", "农村电子商务发展实施方案", "成品油市场管理办法"],
     ["消费促进", "农村电子商务", "成品油市场", "商贸流通", "县域商业体系", "家政服务"]),
    ("市场监管、安全生产监管", "食品药品监管", "市场监督管理局", "市监",
     ["食品安全责任制实施办法", "小餐饮经营许可管理办法", "药品安全专项整治方案"],
     ["食品安全", "小餐饮", "药品安全", "校园食品安全", "食品生产经营", "抽样检验"]),
    ("市场监管、安全生产监管", "安全生产监管", "应急管理局", "应急",
     ["安全生产责任制规定", "危险化学品安全综合治理方案", "安全生产举报奖励办法"],
     ["安全生产", "危险化学品", "隐患排查治理", "举报奖励", "安全生产执法", "双重预防机制"]),
    ("城乡建设、环境保护", "城乡建设（含住房）", "住房和城乡建设局", "建",
     ["老旧小区改造实施方案", "住房保障管理办法", "建筑工地扬尘污染防治办法",
      "物业管理实施办法"],
     ["老旧小区改造", "住房保障", "扬尘污染防治", "物业管理", "建筑市场", "城市更新",
      "公共租赁住房"]),
    ("城乡建设、环境保护", "环境监测、保护与治理", "生态环境分局", "环",
     ["大气污染防治实施方案", "生态环境损害赔偿制度改革实施方案", "重污染天气应急预案"],
     ["大气污染防治", "生态环境损害赔偿", "重污染天气", "排污许可", "环境监测", "固体废物"]),
    ("科技、教育", "教育", "教育局", "教",
     ["学前教育发展行动计划", "义务教育阶段学校招生入学工作方案", "校外培训机构管理办法",
      "中小学教师县管校聘管理改革实施方案"],
     ["学前教育", "招生入学", "校外培训", "教师队伍建设", "学生资助", "校园安全", "课后服务"]),
    ("科技、教育", "科技", "科学技术局", "科",
     ["科技创新奖励办法", "科技特派员工作实施方案", "高新技术企业培育办法"],
     ["科技创新", "科技特派员", "高新技术企业", "研发投入", "科技成果转化", "创新平台"]),
    ("卫生、体育", "卫生", "卫生健康委员会", "卫健",
     ["基本公共卫生服务项目管理办法", "家庭医生签约服务实施方案", "紧密型县域医共体建设实施方案"],
     ["基本公共卫生服务", "家庭医生签约", "医共体", "分级诊疗", "疾病预防控制", "妇幼健康"]),
    ("卫生、体育", "医药管理", "医疗保障局", "医保",
     ["医疗保障基金使用监督管理办法", "城乡居民基本医疗保险实施办法", "门诊慢特病管理办法"],
     ["医保基金", "城乡居民医保", "门诊慢特病", "定点医药机构", "异地就医", "医疗救助"]),
    ("劳动、人事、监察", "劳动就业", "人力资源和社会保障局", "人社",
     ["就业创业补贴资金管理办法", "根治拖欠农民工工资工作方案", "公益性岗位开发管理办法"],
     ["就业创业", "农民工工资", "公益性岗位", "职业技能培训", "创业担保贷款", "劳动保障监察"]),
    ("劳动、人事、监察", "社会保障", "人力资源和社会保障局", "人社",
     ["城乡居民基本养老保险实施办法", "工伤保险管理办法", "被征地农民养老保障办法"],
     ["养老保险", "工伤保险", "被征地农民", "社会保障卡", "待遇发放", "参保登记"]),
    ("民政、扶贫、救灾", "社会福利", "民政局", "民",
     ["最低生活保障审核确认办法", "特困人员救助供养办法", "困难残疾人生活补贴实施办法",
      "养老服务体系建设实施方案"],
     ["最低生活保障", "特困人员", "残疾人补贴", "养老服务", "临时救助", "社会救助"]),
    ("民政、扶贫、救灾", "扶贫", "乡村振兴局", "乡振",
     ["巩固拓展脱贫攻坚成果同乡村振兴有效衔接实施方案", "防止返贫动态监测和帮扶办法",
      "衔接推进乡村振兴补助资金管理办法"],
     ["防止返贫", "动态监测", "帮扶措施", "衔接资金", "产业帮扶", "就业帮扶"]),
    ("公安、安全、司法", "司法", "司法局", "司",
     ["行政规范性文件合法性审核办法", "公共法律服务体系建设实施方案", "人民调解工作规范"],
     ["合法性审核", "公共法律服务", "人民调解", "法律援助", "行政复议", "法治宣传"]),
    ("文化、广电、新闻出版", "文物", "文化旅游体育局", "文旅",
     ["不可移动文物保护管理办法", "非物质文化遗产保护办法"],
     ["不可移动文物", "非物质文化遗产", "文物安全", "传承人", "文物保护单位"]),
    ("国民经济管理、国有资产监管", "国有资产监管", "财政局", "财",
     ["国有企业负责人经营业绩考核办法", "行政事业单位国有资产管理办法"],
     ["国有资产", "经营业绩考核", "资产处置", "资产配置", "国有企业"]),
    ("国民经济管理、国有资产监管", "重大建设项目", "发展和改革委员会", "发改",
     ["政府投资项目管理办法", "重点项目建设考核办法", "招标投标活动监督管理办法"],
     ["政府投资项目", "重点项目", "招标投标", "项目审批", "项目储备库", "可行性研究"]),
]

# (place, one-character code, province abbreviation, domain, admin code,
#  phone area code, head of the place)
PLACES = [
    ("枞阳县", "枞", "皖", "zongyang", "340722", "0562", "县"),
    ("根河市", "根", "蒙", "genhe", "150785", "0470", "市"),
    ("天水市", "天", "甘", "tianshui", "620500", "0938", "市"),
    ("邕宁区", "邕", "桂", "yongning", "450109", "0771", "区"),
    ("南海区", "南", "粤", "nanhai", "440605", "0757", "区"),
    ("徐汇区", "徐", "沪", "xuhui", "310104", "021", "区"),
    ("长兴县", "长", "浙", "zjcx", "330522", "0572", "县"),
    ("宜兴市", "宜", "苏", "yixing", "320282", "0510", "市"),
    ("寿光市", "寿", "鲁", "shouguang", "370783", "0536", "市"),
    ("郫都区", "郫", "川", "pidu", "510117", "028", "区"),
    ("浏阳市", "浏", "湘", "liuyang", "430181", "0731", "市"),
    ("晋江市", "晋", "闽", "jinjiang", "350582", "0595", "市"),
    ("仙桃市", "仙", "鄂", "xiantao", "429004", "0728", "市"),
    ("新郑市", "新", "豫", "xinzheng", "410184", "0371", "市"),
    ("武安市", "武", "冀", "wuan", "130481", "0310", "市"),
    ("孝义市", "孝", "晋", "xiaoyi", "141181", "0358", "市"),
    ("瓦房店市", "瓦", "辽", "wfd", "210281", "0411", "市"),
    ("榆树市", "榆", "吉", "yushu", "220182", "0431", "市"),
    ("五常市", "五", "黑", "wuchang", "230184", "0451", "市"),
    ("樟树市", "樟", "赣", "zhangshu", "360982", "0795", "市"),
    ("仁怀市", "仁", "黔", "renhuai", "520382", "0851", "市"),
    ("安宁市", "安", "滇", "anning", "530181", "0871", "市"),
    ("神木市", "神", "陕", "sxsm", "610881", "0912", "市"),
    ("格尔木市", "格", "青", "geermu", "632801", "0979", "市"),
    ("灵武市", "灵", "宁", "lingwu", "640181", "0951", "市"),
    ("库尔勒市", "库", "新", "xjkel", "652801", "0996", "市"),
    ("琼海市", "琼", "琼", "qionghai", "469002", "0898", "市"),
    ("璧山区", "璧", "渝", "bishan", "500120", "023", "区"),
    ("蓟州区", "蓟", "津", "tjjz", "120119", "022", "区"),
    ("怀柔区", "怀", "京", "bjhr", "110116", "010", "区"),
    ("甘州区", "甘", "甘", "gz", "620702", "0936", "区"),
    ("秦州区", "秦", "甘", "qinzhou", "620502", "0938", "区"),
    ("滁州市", "滁", "皖", "chuzhou", "341100", "0550", "市"),
    ("长丰县", "丰", "皖", "changfeng", "340121", "0551", "县"),
    ("凤阳县", "凤", "皖", "fengyang", "341126", "0550", "县"),
    ("舞阳县", "舞", "豫", "wuyang", "411121", "0395", "县"),
    ("安吉县", "安", "浙", "anji", "330523", "0572", "县"),
    ("兴化市", "兴", "苏", "xinghua", "321281", "0523", "市"),
    ("曲阜市", "曲", "鲁", "qufu", "370881", "0537", "市"),
    ("嘉善县", "善", "浙", "jiashan", "330421", "0573", "县"),
]

NAV_MENUS = [
    ("首页", ["首页"]),
    ("走进{P}", ["{P}概况", "历史沿革", "自然地理", "行政区划", "人口民族", "经济发展", "旅游资源",
               "特色产业", "投资环境", "名优特产"]),
    ("政务公开", ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政策文件", "政策解读",
              "规划计划", "财政资金", "人事信息", "建议提案办理", "重大决策预公开", "政府会议",
              "政府信息公开年报", "依申请公开"]),
    ("政务服务", ["办事指南", "便民服务", "网上办事大厅", "好差评", "证照办理", "公共资源交易",
              "中介超市", "企业开办"]),
    ("互动交流", ["领导信箱", "12345热线", "在线访谈", "征集调查", "网上调查", "常见问题", "意见征集"]),
    ("专题专栏", ["优化营商环境", "乡村振兴", "安全生产", "法治政府建设", "双随机一公开",
              "生态环境保护", "疫情防控", "民生实事"]),
    ("数据开放", ["统计数据", "统计公报", "数据发布", "数据解读", "开放目录"]),
    ("政务要闻", ["{P}要闻", "部门动态", "乡镇动态", "通知公告", "媒体聚焦", "图片新闻"]),
]

SIDE_TREE = ["政府信息公开指南", "政府信息公开制度", "机构职能", "政策文件", "政策解读",
             "规范性文件", "规划信息", "财政信息", "重点领域信息公开", "政府信息公开年报",
             "人事信息", "应急管理", "行政执法公示", "建议提案办理", "政府会议"]

TOWNS = ["城关镇", "东城街道", "西湖镇", "南山乡", "北岗镇", "新安镇", "永和乡", "白石镇",
         "青龙乡", "金山街道", "长岭镇", "大坝乡", "河口镇", "双桥乡"]

# --- prose slots ------------------------------------------------------------
ACTORS = ["各乡镇人民政府", "各街道办事处", "{P}政府各部门", "各有关单位", "行业主管部门",
          "{D}", "财政部门", "审计部门", "乡镇（街道）", "村（居）民委员会", "项目实施单位",
          "项目主管部门", "各级行政机关", "{P}政府办公室", "监察机关", "相关责任单位"]
ADVS = ["及时", "严格", "切实", "依法", "按照规定", "认真", "统筹", "积极", "定期", "全面",
        "主动", "规范", "扎实"]
VERBS = ["做好", "落实", "推进", "加强", "完善", "健全", "组织开展", "督促检查", "统筹协调",
         "规范", "开展", "强化", "建立健全", "优化", "组织实施", "指导"]
WORKS = ["管理工作", "监督检查", "组织实施", "信息报送", "资金保障", "考核评价", "日常监管",
         "宣传引导", "台账管理", "档案管理", "风险防控", "业务培训", "审核把关", "调度通报",
         "绩效评价", "问题整改", "公示公告", "信息公开"]
GOALS = ["确保各项工作落到实处", "切实提高工作效率", "不断提升群众满意度", "推动工作高质量发展",
         "形成工作合力", "保障资金安全有效", "维护人民群众合法权益", "促进经济社会持续健康发展",
         "确保政策及时落地见效", "防范化解重大风险", "提高依法行政水平", "营造良好发展环境"]
CONSEQUENCES = ["依法依规追究相关责任人的责任", "予以通报批评，并责令限期整改",
                "取消其当年度评先评优资格", "收回已拨付的资金", "依照有关法律法规予以处理",
                "涉嫌犯罪的，移送司法机关依法处理", "纳入信用记录，依法实施联合惩戒",
                "三年内不得申报同类项目"]
CONDITIONS = ["弄虚作假、骗取资金", "未按规定履行职责", "擅自改变资金用途", "逾期未完成整改",
              "虚报、冒领补助", "拒不配合监督检查", "违反本办法规定", "造成严重后果",
              "滥用职权、玩忽职守、徇私舞弊"]
BASES = ["《中华人民共和国预算法》", "《中华人民共和国政府信息公开条例》", "《优化营商环境条例》",
         "《中华人民共和国行政许可法》", "《中华人民共和国突发事件应对法》",
         "《中华人民共和国安全生产法》", "《中华人民共和国食品安全法》", "《中华人民共和国土地管理法》",
         "《中华人民共和国乡村振兴促进法》", "《中华人民共和国社会保险法》", "《社会救助暂行办法》",
         "《中华人民共和国教育法》", "《中华人民共和国水法》", "《中华人民共和国森林法》",
         "《中华人民共和国文物保护法》", "《中华人民共和国就业促进法》", "《医疗保障基金使用监督管理条例》",
         "《政府投资条例》", "《中华人民共和国大气污染防治法》", "《物业管理条例》"]
PERIODS = ["每年", "每季度", "每月", "每半年", "每年年底前", "每年3月底前", "每年6月底前"]
NUMS_DAYS = ["3", "5", "7", "10", "15", "20", "30"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海波宇浩然晨阳林峰斌鑫辉"

CN_DIGITS = "零一二三四五六七八九"


def cn_num(n):
    """Chinese numeral for 1..999 as used in 第X条."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    s = CN_DIGITS[h] + "百"
    if r == 0:
        return s
    if r < 10:
        return s + "零" + CN_DIGITS[r]
    return s + CN_DIGITS[r // 10] + "十" + (CN_DIGITS[r % 10] if r % 10 else "")


def cn_date(d):
    """2023年5月12日 (body text style)."""
    return "%d年%d月%d日" % (d.year, d.month, d.day)


def fmt_date(d, style):
    if style == 0:
        return d.strftime("%Y-%m-%d")
    if style == 1:
        return "%04d年%02d月%02d日" % (d.year, d.month, d.day)
    if style == 2:
        return "%d年%d月%d日" % (d.year, d.month, d.day)
    return d.strftime("%Y/%m/%d")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------------------
# Page generator
# ---------------------------------------------------------------------------

class Page:
    def __init__(self, seed, index, gbk_share):
        self.index = index
        # random.Random(str) hashes the string with SHA-512: stable across runs
        # and Python builds, independent of PYTHONHASHSEED.
        self.r = random.Random("gen-pages:%s:%d" % (seed, index))
        r = self.r
        self.rnd = r.random
        self.layout = LAYOUTS[index % len(LAYOUTS)]
        self.charset = "gbk" if self.rnd() < gbk_share else "utf-8"
        self.fault = r.choice(FAULTS) if self.rnd() < FAULT_SHARE else ""
        # triangular: most pages 35-55 KB, a tail up to 80 KB
        self.target = int(r.triangular(MIN_BYTES + 1024, MAX_BYTES - 1024, 42 * 1024))
        self.upper = self.rnd() < 0.25          # old TRS style upper-case tags
        self.setup()

    def pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    # -- document facts ------------------------------------------------------
    def setup(self):
        r = self.r
        place = self.pick(PLACES)
        (self.P, self.code, self.prov, dom, self.admin, self.phone_area,
         self.head) = place
        self.domain = "www.%s.gov.cn" % dom
        self.site_name = "%s人民政府" % self.P
        self.site_id = "%s%04d" % (self.admin, r.randint(1, 40))
        dom_ = self.pick(DOMAINS)
        (first, second, dept, dcode, subjects, areas) = dom_
        self.areas = areas
        self.topic_first = first
        # sometimes pick a sibling second level to vary the taxonomy
        if self.rnd() < 0.15:
            seconds = [s for s in TAXONOMY_MAP[first] if s != "其他"]
            second = self.pick(seconds)
        self.topic_second = second
        sep = self.pick(["\\", "\\", "\\", "/", "/"])
        if self.fault == "topic-incomplete":
            self.topic = first
        else:
            self.topic = first + sep + second
        if self.rnd() < 0.45:
            self.issuer = self.P + "人民政府办公室"
            prefix = self.code + self.pick(["政办发", "政办", "政办秘"])
            self.recipients = "各乡镇人民政府、街道办事处，%s政府各部门、各直属机构" % self.head
        elif self.rnd() < 0.3:
            self.issuer = self.P + "人民政府"
            prefix = self.code + self.pick(["政发", "政"])
            self.recipients = "各乡镇人民政府、街道办事处，%s政府各部门、各直属机构" % self.head
        else:
            self.issuer = self.P + dept
            prefix = self.code + dcode
            self.recipients = "各乡镇（街道）%s，%s直各有关单位" % (
                self.pick(["相关站所", "人民政府、办事处", "分管部门"]), self.head)
        self.dept = self.P + dept
        self.subject = self.P + self.pick(subjects)
        self.year = r.randint(2018, 2024)
        written = datetime.date(self.year, 1, 1) + datetime.timedelta(days=r.randint(0, 360))
        if self.fault == "date-order":
            pub = written - datetime.timedelta(days=r.randint(2, 25))
        else:
            pub = written + datetime.timedelta(days=r.randint(0, 12))
        self.written, self.pub = written, pub
        self.pub_time = "%02d:%02d" % (r.randint(8, 18), r.randint(0, 59))
        n = r.randint(1, 160)
        if self.fault == "doc-number-brackets":
            self.doc_no = "%s[%d]%d号" % (prefix, self.year, n)
        else:
            self.doc_no = "%s〔%d〕%d号" % (prefix, self.year, n)
        kind = self.rnd()
        if kind < 0.55:
            self.title = "%s关于印发%s的通知" % (self.issuer, self.subject)
            self.is_notice = True
        else:
            self.title = self.subject
            self.is_notice = False
        self.doc_word = self.subject[-2:] if self.subject[-2:] in ("办法", "方案", "规定", "细则",
                                                                  "预案", "制度", "措施", "政策",
                                                                  "规范", "计划") else "办法"
        if self.doc_word in ("方案", "预案", "计划", "措施", "政策"):
            self.doc_word_self = "本" + self.doc_word
        else:
            self.doc_word_self = "本" + self.doc_word
        org = self.pick(["00%07d" % r.randint(1000000, 9999999),
                         "11%s%s%s" % (self.admin, self.pick("ABCDEFGHJKLM"), "%07d" % r.randint(0, 9999999)),
                         "%s%03d" % (self.admin, r.randint(1, 300))])
        self.index_no = "%s/%d-%05d" % (org, pub.year, r.randint(1, 30000))
        self.date_style = r.randint(0, 2)
        self.article_id = r.randint(1000000, 9999999)
        self.url_path = "/zwgk/zcwj/%04d%02d/t%s_%d.html" % (pub.year, pub.month,
                                                             pub.strftime("%Y%m%d"), self.article_id)
        jd = pub + datetime.timedelta(days=r.randint(0, 2))
        self.interp_url = "/zwgk/zcjd/%04d%02d/t%s_%d.html" % (jd.year, jd.month, jd.strftime("%Y%m%d"),
                                                              self.article_id + r.randint(1, 50))
        self.hits = r.randint(20, 9000)

    # -- small helpers ---------------------------------------------------------
    def T(self, name):
        return name.upper() if self.upper else name

    def person(self):
        return self.pick(SURNAMES) + self.pick(GIVEN) + (self.pick(GIVEN) if self.rnd() < 0.6 else "")

    def phone(self):
        return "%s-%d" % (self.phone_area, self.r.randint(2000000, 8999999) if len(self.phone_area) == 4
                          else self.r.randint(20000000, 89999999))

    def fill(self, s):
        return s.replace("{P}", self.P).replace("{D}", self.dept)

    # -- head ------------------------------------------------------------------
    def doctype(self):
        k = self.index // len(LAYOUTS) % 3
        if k == 0:
            return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                    '<html xmlns="http://www.w3.org/1999/xhtml">\n')
        if k == 1:
            return '<!DOCTYPE html>\n<html lang="zh-CN">\n'
        return ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
                '"http://www.w3.org/TR/html4/loose.dtd">\n<HTML>\n' if self.upper else
                '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
                '"http://www.w3.org/TR/html4/loose.dtd">\n<html>\n')

    def meta(self, name, content):
        v = self.rnd()
        if self.upper:
            return '<META NAME="%s" CONTENT="%s">\n' % (name, esc(content))
        if v < 0.3:
            return '<meta content="%s" name="%s" />\n' % (esc(content), name)
        if v < 0.45:
            return '<meta  name="%s"  content="%s">\n' % (name, esc(content))
        return '<meta name="%s" content="%s">\n' % (name, esc(content))

    def head_html(self):
        out = [self.doctype(), "<%s>\n" % self.T("head")]
        if self.charset == "gbk":
            out.append('<meta http-equiv="Content-Type" content="text/html; charset=gbk">\n')
        else:
            out.append('<meta charset="utf-8">\n')
        out.append('<meta http-equiv="X-UA-Compatible" content="IE=edge">\n')
        out.append('<meta name="viewport" content="width=device-width, initial-scale=1.0">\n')
        out.append("<title>%s_%s</title>\n" % (esc(self.title), self.site_name))
        cname = self.pick(["政策文件", "政策文件", "县政府文件" if self.head == "县" else "政府文件", "部门文件",
                           "规范性文件"])
        tags = [
            ("SiteName", self.site_name),
            ("SiteDomain", self.domain),
            ("SiteIDCode", self.site_id),
            ("ColumnName", cname),
            ("ColumnDescription", "发布%s人民政府及其部门制定的政策文件" % self.P),
            ("ColumnKeywords", "政策文件,政府文件,政务公开,%s" % self.P),
            ("ColumnType", "政策文件"),
            ("ArticleTitle", self.title),
            ("PubDate", "%s %s" % (self.pub.strftime("%Y-%m-%d"), self.pub_time)),
            ("ContentSource", self.issuer),
        ]
        if self.rnd() < 0.5:
            tags.append(("Keywords", ",".join(self.r.sample(self.areas, 3))))
        if self.rnd() < 0.4:
            tags.append(("Description", "%s……" % self.subject))
        if self.rnd() < 0.3:
            tags.append(("Url", "http://%s%s" % (self.domain, self.url_path)))
        if self.rnd() < 0.3:
            tags.append(("firstpublishedtime", "%s-%s:00" % (self.pub.strftime("%Y-%m-%d"), self.pub_time)))
        # shuffle order a little: real CMS templates differ
        if self.rnd() < 0.4:
            self.r.shuffle(tags)
        for n, c in tags:
            out.append(self.meta(n, c))
        out.append('<link rel="stylesheet" type="text/css" href="/images/%s/common.css">\n' % self.pick(
            ["2019", "2021", "xxgk", "zwgk"]))
        out.append(self.css_block())
        out.append(self.js_block(head=True))
        out.append("</%s>\n" % self.T("head"))
        return "".join(out)

    def css_block(self):
        r = self.r
        colors = ["#c00", "#1a5ea8", "#0b57a0", "#333", "#666", "#e6e6e6", "#f5f5f5", "#b50000",
                  "#2462a6", "#ddd", "#fff", "#999", "#094f93"]
        sels = [".header", ".header .logo", ".topbar", ".topbar a", ".nav", ".nav li", ".nav li a",
                ".nav li ul", ".nav li:hover ul", ".search", ".search input", ".search button",
                ".breadcrumb", ".breadcrumb a", ".main", ".main .left", ".main .right", ".side-tree li",
                ".side-tree li.on a", ".article", ".article h1", ".article .info", ".TRS_Editor p",
                ".TRS_Editor table", ".xxgk-meta", ".xxgk-meta td", ".xxgk-meta th", ".article-info",
                ".article-info span", ".classify td.first", ".classify td.second", ".pctoubukuang1",
                ".bd1 td", ".fj a", ".xgjd", ".xgjd li", ".share", ".footer", ".footer p", ".footer a",
                ".dzjg", ".float-box", ".gotop", ".related li", ".related li span", ".print", ".font-size a"]
        props = ["color:%s", "background:%s", "border:1px solid %s", "border-bottom:2px solid %s"]
        out = ["<style type=\"text/css\">\n"]
        nsel = r.randint(35, len(sels))
        for s in r.sample(sels, nsel):
            decl = ["margin:%dpx %dpx" % (r.randint(0, 20), r.randint(0, 30)),
                    "padding:%dpx" % r.randint(0, 16),
                    self.pick(props) % self.pick(colors),
                    "font-size:%dpx" % r.randint(12, 22),
                    "line-height:%dpx" % r.randint(18, 40)]
            if self.rnd() < 0.5:
                decl.append("width:%dpx" % r.randint(80, 1200))
            if self.rnd() < 0.3:
                decl.append('font-family:"Microsoft YaHei","微软雅黑",SimSun,"宋体"')
            out.append("%s{%s;}\n" % (s, ";".join(decl)))
        out.append("@media screen and (max-width:%dpx){.main .left{display:none}.nav li{float:none}}\n"
                   % r.randint(640, 1024))
        out.append("</style>\n")
        return "".join(out)

    def js_block(self, head=False):
        r = self.r
        if head:
            return ('<script type="text/javascript" src="/js/jquery-1.%d.%d.min.js"></script>\n'
                    '<script type="text/javascript">\n'
                    'var _hmt = _hmt || [];\n'
                    'var siteCode = "%s", columnId = "%d", articleId = "%d";\n'
                    'function setFontSize(size){\n  var obj = document.getElementById("zoom");\n'
                    '  if(!obj) return;\n  obj.style.fontSize = size + "px";\n'
                    '  var ps = obj.getElementsByTagName("p");\n'
                    '  for (var i = 0; i < ps.length; i++) { ps[i].style.fontSize = size + "px"; }\n}\n'
                    'function doPrint(){ var bd = document.getElementById("printArea"); '
                    'if (bd) { window.print(); } }\n'
                    '</script>\n' % (r.randint(7, 12), r.randint(0, 4), self.site_id,
                                     r.randint(100, 9999), self.article_id))
        return ('<script type="text/javascript">\n'
                '$(function(){\n'
                '  $(".nav > li").hover(function(){ $(this).addClass("on").find("ul").stop(true,true).slideDown(%d); },\n'
                '    function(){ $(this).removeClass("on").find("ul").stop(true,true).slideUp(%d); });\n'
                '  $(".gotop").click(function(){ $("html,body").animate({scrollTop:0}, %d); });\n'
                '  if (document.getElementById("hits")) {\n'
                '    $.get("/interface/hits.jsp?id=%d&t=" + new Date().getTime(), function(d){ $("#hits").text(d); });\n'
                '  }\n'
                '  var str = "当前页面打开较慢，请稍候……";\n'
                '  if (window.location.href.indexOf("elder") > 0) { $("body").addClass("elder-mode"); }\n'
                '});\n'
                '</script>\n' % (r.randint(100, 300), r.randint(100, 300), r.randint(200, 600),
                                 self.article_id))

    # -- header, navigation, side -----------------------------------------------
    def header_html(self):
        r = self.r
        ul, li, a = self.T("ul"), self.T("li"), self.T("a")
        out = ['<%s>\n<div id="wrapper" class="wrapper">\n' % self.T("body")]
        out.append('<div class="topbar"><div class="w1200">'
                   '<span class="date">今天是：<script>document.write(new Date().toLocaleDateString());</script></span>'
                   '<span class="links"><a href="javascript:void(0)" id="wza">无障碍浏览</a> | '
                   '<a href="javascript:void(0)" id="elder">长者模式</a> | '
                   '<a href="/" onclick="SetHome(this,window.location)">设为首页</a> | '
                   '<a href="javascript:void(0)">加入收藏</a> | <a href="/wap/">手机版</a> | '
                   '<a href="javascript:void(0)" id="jt">繁體</a> | <a href="/login/">登录</a></span>'
                   '</div></div>\n')
        out.append('<div class="header"><table width="100%%" border="0" cellspacing="0" cellpadding="0"><tr>'
                   '<td class="logo"><a href="/"><img src="/images/logo.png" alt="%s" width="%d" height="%d"></a></td>'
                   '<td class="search"><form name="searchform" action="/search/" method="get" target="_blank">'
                   '<input type="text" name="searchword" value="请输入关键字" onfocus="if(this.value==\'请输入关键字\')this.value=\'\';">'
                   '<input type="hidden" name="siteCode" value="%s"><button type="submit">搜索</button>'
                   '</form><div class="hotwords">热搜：<a href="#">政策文件</a> <a href="#">营商环境</a> '
                   '<a href="#">%s</a> <a href="#">%s</a></div></td></tr></table></div>\n'
                   % (self.site_name, r.randint(400, 700), r.randint(80, 130), self.site_id,
                      self.pick(self.areas), self.pick(self.areas)))
        # main navigation: nested ul/li, 30-80 links in total
        want = r.randint(30, 80)
        menus = [(self.fill(t), [self.fill(s) for s in subs]) for t, subs in NAV_MENUS]
        total_subs = sum(len(s) for _, s in menus)
        budget = want - len(menus)
        out.append('<div class="nav-wrap"><%s class="nav" id="nav">\n' % ul)
        k = 0
        for ti, (top, subs) in enumerate(menus):
            href = "/" if ti == 0 else "/%s/index.html" % ["", "zjxq", "zwgk", "zwfw", "hdjl", "ztzl",
                                                             "sjkf", "zwyw"][ti]
            out.append('<%s class="nav-item%s"><%s href="%s" target="_self">%s</%s>' %
                       (li, " first" if ti == 0 else "", a, href, top, a))
            if ti == 0:
                out.append("</%s>\n" % li)
                continue
            share = max(1, round(budget * len(subs) / max(1, total_subs)))
            chosen = subs[:share]
            if top == "政务公开" and "政策解读" not in chosen:
                chosen = chosen[:-1] + ["政策解读"] if len(chosen) > 1 else chosen + ["政策解读"]
            # repeat sub-columns with 2nd level pages to reach the budget on long menus
            while len(chosen) < share:
                chosen.append(self.pick(subs) + self.pick(["专栏", "动态", "信息", "公告"]))
            out.append("\n  <%s class=\"subnav\">\n" % ul)
            for s in chosen:
                k += 1
                sh = "/zwgk/zcjd/index.html" if s == "政策解读" else "/col/col%d/index.html" % (1000 + k * 7 + ti)
                out.append('    <%s><%s href="%s" title="%s">%s</%s></%s>\n' % (li, a, sh, s, s, a, li))
            out.append("  </%s></%s>\n" % (ul, li))
        out.append("</%s></div>\n" % ul)
        # breadcrumbs
        gt = self.pick(["&gt;", ">", "&gt;&gt;", "&raquo;"])
        out.append('<div class="breadcrumb">当前位置：<a href="/">首页</a> %s <a href="/zwgk/index.html">政务公开</a> %s '
                   '<a href="/zwgk/zcwj/index.html">政策文件</a></div>\n' % (gt, gt))
        return "".join(out)

    def side_html(self):
        ul, li, a = self.T("ul"), self.T("li"), self.T("a")
        out = ['<td class="left" valign="top" width="240"><div class="side-title">政府信息公开</div>'
               '<div class="side-unit">信息公开单位：<select name="unit" onchange="window.open(this.value)">'
               '<option value="">请选择</option>']
        for t in TOWNS[: self.r.randint(6, len(TOWNS))]:
            out.append('<option value="/xxgk/%s/">%s</option>' % (t, t))
        out.append('</select></div>\n<%s class="side-tree">\n' % ul)
        for i, s in enumerate(SIDE_TREE):
            href = "/zwgk/zcjd/index.html" if s == "政策解读" else "/zwgk/col%d/index.html" % (200 + i)
            cls = ' class="on"' if s == "政策文件" else ""
            out.append('<%s%s><%s href="%s">%s</%s></%s>\n' % (li, cls, a, href, s, a, li))
        out.append("</%s></td>\n" % ul)
        return "".join(out)

    # -- metadata blocks -------------------------------------------------------------
    def dates(self):
        return fmt_date(self.written, self.date_style), fmt_date(self.pub, self.date_style)

    def meta_block(self):
        return getattr(self, "meta_" + self.layout)()

    def meta_govcn(self):
        w, p = self.dates()
        attr = self.fault != "attribute-missing"
        rows = [
            ("索 引 号：", self.index_no, "主题分类：", self.topic),
            ("发文机关：", self.issuer, "成文日期：", w),
            ("标　　题：" if self.rnd() < 0.5 else "标  题：", self.title, None, None),
            ("发文字号：", self.doc_no, "发布日期：", p),
        ]
        if attr:
            rows.append(("公开属性：", "主动公开", "有 效 性：", "有效"))
        else:
            rows.append(("有 效 性：", "有效", "主 题 词：", ""))
        out = ['<div class="pctoubukuang1"><table width="100%" border="0" cellspacing="0" cellpadding="0">'
               '<tbody><tr><td><table class="bd1" width="100%" border="0" cellspacing="1" cellpadding="0" '
               'bgcolor="#cccccc"><tbody>\n']
        for l1, v1, l2, v2 in rows:
            if l2 is None:
                out.append('<tr><td width="90" bgcolor="#eeeeee" nowrap><b>%s</b></td>'
                           '<td colspan="3" bgcolor="#ffffff">%s</td></tr>\n' % (l1, esc(v1)))
            else:
                out.append('<tr><td width="90" bgcolor="#eeeeee" nowrap><b>%s</b></td>'
                           '<td width="270" bgcolor="#ffffff">%s</td>'
                           '<td width="90" bgcolor="#eeeeee" nowrap><b>%s</b></td>'
                           '<td width="270" bgcolor="#ffffff">%s</td></tr>\n' % (l1, esc(v1), l2, esc(v2)))
        if attr:
            out.append('<tr><td bgcolor="#eeeeee"><b>主 题 词：</b></td><td colspan="3" bgcolor="#ffffff"></td></tr>\n')
        out.append("</tbody></table></td></tr></tbody></table></div>\n")
        return "".join(out)

    def meta_trs(self):
        w, p = self.dates()
        attr = self.fault != "attribute-missing"
        TD, TR, B = self.T("td"), self.T("tr"), "B"
        cells = [("索 引 号:", self.index_no), ("主题分类:", self.topic),
                 ("发布机构:", self.issuer), ("成文日期:", w),
                 ("名　　称:", self.title), None,
                 ("文　　号:", self.doc_no), ("发布日期:", p)]
        if attr:
            cells += [("公开属性:", "主动公开"), ("有 效 性:", "有效")]
        else:
            cells += [("有 效 性:", "有效"), ("主 题 词:", "")]
        out = ['<%s class="xxgk_table" width="100%%" border="0" cellpadding="4" cellspacing="1" bgcolor="#d4d4d4">\n'
               % self.T("table")]
        i = 0
        while i < len(cells):
            c = cells[i]
            if cells[i + 1] is None:
                out.append('<%s><%s colspan="2" bgcolor="#ffffff"><%s>%s</%s>%s</%s></%s>\n'
                           % (TR, TD, B, c[0], B, esc(c[1]), TD, TR))
                i += 2
                continue
            d = cells[i + 1]
            out.append('<%s><%s width="50%%" bgcolor="#ffffff"><%s>%s</%s>%s</%s>'
                       '<%s width="50%%" bgcolor="#ffffff"><%s>%s</%s>%s</%s></%s>\n'
                       % (TR, TD, B, c[0], B, esc(c[1]), TD, TD, B, d[0], B, esc(d[1]), TD, TR))
            i += 2
        out.append("</%s>\n" % self.T("table"))
        return "".join(out)

    def meta_shanghai(self):
        w, p = self.dates()
        pairs = [("索引号", self.index_no), ("主题分类", self.topic)]
        if self.fault != "attribute-missing":
            pairs.append(("公开属性", "主动公开"))
        pairs += [("成文日期", w), ("发文字号", self.doc_no), ("发布日期", p),
                  ("公开主体", self.issuer), ("有效性", "有效")]
        split = self.rnd() < 0.5   # label and value on separate lines
        out = ['<div class="article-info"><div class="gknbxq_top"><ul class="clearfix">\n']
        for l, v in pairs:
            sep = "\n" if split else ""
            out.append('<li><span class="label">%s：</span>%s<span class="value">%s</span></li>\n' % (l, sep, esc(v)))
        out.append("</ul></div></div>\n")
        return "".join(out)

    def meta_gkmlpt(self):
        w, p = self.dates()
        rows = [("索引号：", self.index_no, "分类：", self.topic),
                ("发布机构：", self.issuer, "成文日期：", w),
                ("名称：", self.title, None, None),
                ("文号：", self.doc_no, "发布日期：", p)]
        if self.fault != "attribute-missing":
            rows.append(("公开属性：", "主动公开", "有效性：", "有效"))
        else:
            rows.append(("有效性：", "有效", "主题词：", ""))
        out = ['<div class="introduce"><div class="classify"><table><tbody>\n']
        for l1, v1, l2, v2 in rows:
            if l2 is None:
                out.append('<tr><td class="first">%s</td><td class="second" colspan="3">%s</td></tr>\n'
                           % (l1, esc(v1)))
            else:
                out.append('<tr><td class="first">%s</td><td class="second">%s</td>'
                           '<td class="first">%s</td><td class="second">%s</td></tr>\n'
                           % (l1, esc(v1), l2, esc(v2)))
        out.append("</tbody></table></div></div>\n")
        return "".join(out)

    def meta_gansu(self):
        w, p = self.dates()
        cells = [("索引号", self.index_no)]
        if self.fault != "attribute-missing":
            cells.append(("公开方式", "主动公开"))
        cells += [("发布机构", self.issuer), ("组配分类", self.topic), ("文件编号", self.doc_no),
                  ("发文日期", p), ("成文日期", w), ("有效性", "有效")]
        if len(cells) % 2:
            cells.append(("主题词", ""))
        out = ['<div class="zwgk_xxgk"><table class="zwgk_table" width="100%" cellspacing="0" cellpadding="0">'
               '<tbody>\n']
        for i in range(0, len(cells), 2):
            (l1, v1), (l2, v2) = cells[i], cells[i + 1]
            out.append('<tr><th width="15%%">%s：</th><td width="35%%">%s</td>'
                       '<th width="15%%">%s：</th><td width="35%%">%s</td></tr>\n' % (l1, esc(v1), l2, esc(v2)))
        out.append('<tr><th>标题：</th><td colspan="3">%s</td></tr>\n' % esc(self.title))
        out.append("</tbody></table></div>\n")
        return "".join(out)

    def meta_dl(self):
        w, p = self.dates()
        pairs = [("索引号", self.index_no), ("主题分类", self.topic), ("发布机构", self.issuer),
                 ("成文日期", w), ("标题", self.title), ("发文字号", self.doc_no), ("发布日期", p)]
        if self.fault != "attribute-missing":
            pairs.append(("公开属性", "主动公开"))
        pairs.append(("有效性", "有效"))
        out = ['<div class="xxgk-meta"><dl class="clearfix">\n']
        for l, v in pairs:
            out.append("<dt>%s：</dt><dd>%s</dd>\n" % (l, esc(v)))
        out.append("</dl></div>\n")
        return "".join(out)

    # -- body prose ------------------------------------------------------------------
    def sentence(self):
        pick, fill = self.pick, self.fill
        k = int(self.rnd() * 12)
        A = pick(self.areas)
        if k == 0:
            return "%s应当%s%s%s%s，%s。" % (fill(pick(ACTORS)), pick(ADVS), pick(VERBS), A, pick(WORKS), pick(GOALS))
        if k == 1:
            return "%s负责本行政区域内%s的%s，%s%s相关工作。" % (fill(pick(ACTORS)), A, pick(WORKS), pick(ADVS), pick(VERBS))
        if k == 2:
            return "对%s的，由%s责令改正；情节严重的，%s。" % (pick(CONDITIONS), fill(pick(ACTORS)), pick(CONSEQUENCES))
        if k == 3:
            return "%s应当自收到申请之日起%s个工作日内完成%s，并将结果书面告知申请人。" % (
                fill(pick(ACTORS)), pick(NUMS_DAYS), pick(["审核", "审查", "核实", "复核", "认定"]))
        if k == 4:
            return "鼓励和支持社会力量参与%s，%s%s%s，%s。" % (A, pick(ADVS), pick(VERBS), pick(WORKS), pick(GOALS))
        if k == 5:
            return "%s%s应当将%s情况报送%s，并通过政府网站向社会公开。" % (
                pick(PERIODS), fill(pick(ACTORS)), A, fill(pick(ACTORS)))
        if k == 6:
            return "建立%s%s机制，%s%s，%s。" % (A, pick(["联席会议", "部门协作", "考核通报", "动态调整",
                                                      "信息共享", "风险预警", "督查督办"]),
                                         pick(ADVS), pick(VERBS) + pick(WORKS), pick(GOALS))
        if k == 7:
            return "%s资金实行专款专用，任何单位和个人不得截留、挤占、挪用。" % A
        if k == 8:
            return "%s应当建立%s工作台账，做到底数清、情况明，相关资料保存期限不少于%s年。" % (
                fill(pick(ACTORS)), A, pick(["3", "5", "10", "15"]))
        if k == 9:
            return "%s、%s等部门按照各自职责，%s做好%s相关工作。" % (
                fill(pick(ACTORS)), fill(pick(ACTORS)), pick(ADVS), A)
        if k == 10:
            return "%s工作纳入年度目标管理绩效考核，考核结果作为%s的重要依据。" % (
                A, pick(["评先评优", "资金分配", "干部任用", "项目安排", "奖惩"]))
        return "坚持%s、%s的原则，%s%s%s。" % (
            pick(["政府主导", "公开公正", "依法依规", "统筹兼顾", "分级负责", "属地管理"]),
            pick(["社会参与", "突出重点", "注重实效", "权责一致", "便民高效", "动态管理"]),
            pick(ADVS), pick(VERBS), A + pick(WORKS))

    def para(self, text):
        if self.word_style:
            return ('<p style="text-indent:2em;line-height:2em;margin:0;">'
                    '<span style="font-family:仿宋_GB2312,仿宋;font-size:16pt;mso-spacerun:yes;">%s</span></p>\n' % text)
        return '<p style="text-indent:2em;">%s</p>\n' % text

    def article(self, n):
        r = self.rnd
        parts = [self.sentence() for _ in range(2 + int(r() * 4))]
        if r() < 0.28:
            items = []
            cnt = 2 + int(r() * 5)
            for j in range(cnt):
                end = "。" if j == cnt - 1 else "；"
                items.append("（%s）%s%s%s%s" % (cn_num(j + 1), self.pick(VERBS), self.pick(self.areas),
                                               self.pick(WORKS), end))
            head = "第%s条　%s" % (cn_num(n), parts[0])
            return self.para(head) + "".join(self.para(x) for x in items)
        return self.para("第%s条　%s" % (cn_num(n), "".join(parts)))

    def chapter(self, n, name):
        return '<p style="text-align:center;"><strong>第%s章　%s</strong></p>\n' % (cn_num(n), name)

    def opening_articles(self):
        P = self.P
        t = [
            "为%s%s，%s，根据%s%s等法律法规和政策规定，结合%s实际，制定%s。" % (
                self.pick(["进一步规范", "切实加强", "全面推进", "深入推进"]), self.pick(self.areas) + self.pick(WORKS),
                self.pick(GOALS), self.pick(BASES), self.pick(BASES), P, self.doc_word_self),
            "%s所称%s，是指%s以各种形式%s的%s。" % (self.doc_word_self, self.pick(self.areas), self.fill(self.pick(ACTORS)),
                                          self.pick(["组织实施", "管理使用", "认定发放", "审核确认"]),
                                          self.pick(["事项", "项目", "资金", "服务", "工作"])),
            "%s适用于%s行政区域内%s的%s。" % (self.doc_word_self, P, self.pick(self.areas),
                                       self.pick(["管理和监督", "组织实施", "申报审核", "日常管理"])),
        ]
        return t

    def closing_articles(self):
        t = ["%s由%s负责解释。" % (self.doc_word_self, self.dept),
             "%s自%s起施行。" % (self.doc_word_self,
                             self.pick(["发布之日", cn_date(self.written + datetime.timedelta(days=30))]))]
        if self.rnd() < 0.15:
            # a repeal statement naming a document far older than anything generated
            oy = self.r.randint(2008, 2014)
            t.append("原《%s》（%s〔%d〕%d号）同时废止。" % (self.subject, self.code + "政办", oy, self.r.randint(1, 90)))
        return t

    # -- page ------------------------------------------------------------------------
    def render(self):
        self.word_style = self.rnd() < 0.5
        enc = self.charset
        head = self.head_html() + self.header_html()
        body_open = ['<div class="main w1200"><%s width="100%%" border="0" cellspacing="0" cellpadding="0"><%s>\n'
                     % (self.T("table"), self.T("tr")), self.side_html(),
                     '<td class="right" valign="top"><div class="content-box"><div class="con-wrap">\n',
                     self.meta_block(),
                     '<div class="article" id="printArea">\n<h1 class="title">%s</h1>\n' % esc(self.title),
                     '<div class="info"><span>发布时间：%s %s</span><span>来源：%s</span>'
                     '<span>浏览次数：<em id="hits">%d</em></span>'
                     '<span class="font-size">【字体：<a href="javascript:setFontSize(20)">大</a> '
                     '<a href="javascript:setFontSize(16)">中</a> <a href="javascript:setFontSize(14)">小</a>】</span></div>\n'
                     % (self.pub.strftime("%Y-%m-%d"), self.pub_time, self.issuer, self.hits),
                     '<div class="TRS_Editor" id="zoom"><div class="Custom_UnionStyle">\n']
        if self.is_notice:
            body_open.append('<p style="text-align:center;">%s</p>\n' % self.doc_no)
            body_open.append("<p>%s：</p>\n" % self.recipients)
            body_open.append(self.para("《%s》已经%s政府第%s次常务会议研究同意，现印发给你们，请结合实际，认真贯彻执行。"
                                       % (self.subject, self.head, cn_num(self.r.randint(2, 40)))))
            body_open.append('<p style="text-align:right;">%s</p>\n<p style="text-align:right;">%s</p>\n'
                             % (self.issuer, cn_date(self.written)))
            if self.fault != "attribute-missing" and self.rnd() < 0.5:
                body_open.append("<p>（此件公开发布）</p>\n")
            body_open.append('<p style="text-align:center;"><strong>%s</strong></p>\n' % self.subject)
        else:
            body_open.append('<p style="text-align:center;">（%s）</p>\n' % self.doc_no)

        tail = ["</div></div>\n"]
        if self.rnd() < 0.6:
            tail.append('<div class="fj">附件：<a href="/zwgk/zcwj/%04d%02d/P0%s%s.pdf" target="_blank">%s.pdf</a></div>\n'
                        % (self.pub.year, self.pub.month, self.pub.strftime("%Y%m%d"),
                           "%06d" % self.r.randint(0, 999999), esc(self.subject)))
        jtext = self.pick(["《%s》政策解读" % self.subject, "图解：%s" % self.subject,
                           "一图读懂《%s》" % self.subject, "《%s》解读" % self.subject])
        tail.append('<div class="xgjd"><div class="xgjd-title">相关解读</div><ul>\n'
                    '<li><a href="%s" target="_blank" title="%s">%s</a></li>\n</ul></div>\n'
                    % (self.interp_url, esc(jtext), esc(jtext)))
        tail.append('<div class="share">分享到：<a class="wx" href="javascript:void(0)">微信</a>'
                    '<a class="wb" href="javascript:void(0)">微博</a>'
                    '<a class="qq" href="javascript:void(0)">QQ空间</a>'
                    '<span class="print"><a href="javascript:doPrint()">【打印本页】</a>'
                    '<a href="javascript:window.close()">【关闭窗口】</a></span></div>\n</div>\n')
        tail.append('<div class="related"><div class="related-title">相关文件</div><ul>\n')
        for _ in range(self.r.randint(5, 10)):
            d = self.pub - datetime.timedelta(days=self.r.randint(1, 400))
            other = self.P + self.pick(self.pick(DOMAINS)[4])
            tail.append('<li><a href="/zwgk/zcwj/%04d%02d/t%s_%d.html">%s</a><span>%s</span></li>\n'
                        % (d.year, d.month, d.strftime("%Y%m%d"), self.r.randint(1000000, 9999999),
                           other, d.strftime("%Y-%m-%d")))
        tail.append("</ul></div>\n</div></div></td></%s></%s></div>\n" % (self.T("tr"), self.T("table")))
        tail.append(self.footer_html())
        tail.append(self.js_block())
        tail.append("</div>\n</%s>\n</%s>\n" % (self.T("body"), self.T("html")))

        fixed = "".join(body_open) + "".join(tail)
        size = len(head.encode(enc)) + len(fixed.encode(enc))
        # chapters of articles until the target size is reached
        opening = self.opening_articles()
        closing = self.closing_articles()
        arts = []
        n = 1
        chap = 1
        chapters = ["总则", "职责分工", "%s管理" % self.pick(self.areas), "申报与审核", "%s保障" % self.pick(self.areas),
                    "监督检查", "绩效评价", "信息公开", "服务规范", "%s实施" % self.pick(self.areas), "考核奖惩", "法律责任"]
        arts.append(self.chapter(chap, "总则"))
        for t in opening:
            arts.append(self.para("第%s条　%s" % (cn_num(n), t)))
            n += 1
        # the closing chapter, measured with a typical article number
        close_bytes = len(self.chapter(99, "附则").encode(enc)) + sum(
            len(self.para("第%s条　%s" % ("五十五", t)).encode(enc)) for t in closing)
        size += sum(len(x.encode(enc)) for x in arts) + close_bytes
        since = 0
        ci = 1
        while size < self.target:
            if since >= 4 and self.rnd() < 0.22:
                chap += 1
                ci = min(ci + 1, len(chapters) - 1)
                s = self.chapter(chap, chapters[ci])
                since = 0
            else:
                s = self.article(n)
                n += 1
                since += 1
            arts.append(s)
            size += len(s.encode(enc))
        chap += 1
        arts.append(self.chapter(chap, "附则"))
        for t in closing:
            arts.append(self.para("第%s条　%s" % (cn_num(n), t)))
            n += 1
        return head + "".join(body_open) + "".join(arts) + "".join(tail)

    def footer_html(self):
        r = self.r
        ul, li, a = self.T("ul"), self.T("li"), self.T("a")
        out = ['<div class="footer-links"><div class="w1200"><span>相关链接：</span>\n']
        for grp in ("国务院部门网站", "省级政府网站", "市县政府网站", "其他网站"):
            out.append('<select onchange="if(this.value)window.open(this.value)"><option value="">%s</option>' % grp)
            for j in range(r.randint(4, 10)):
                out.append('<option value="http://www.site%d.gov.cn/">%s%s</option>'
                           % (r.randint(1, 999), self.pick(PLACES)[0], self.pick(["人民政府", "政务服务网", "发展改革委"])))
            out.append("</select>\n")
        out.append("</div></div>\n")
        out.append('<div class="footer"><%s width="100%%" border="0" cellspacing="0" cellpadding="0"><%s>'
                   '<%s class="dzjg" width="120"><a href="http://bszs.conac.cn/sitename?method=show&amp;id=%d" target="_blank">'
                   '<img src="/images/dzjg.png" alt="党政机关" width="55" height="64"></a></%s><%s>\n'
                   % (self.T("table"), self.T("tr"), self.T("td"), r.randint(10000, 99999), self.T("td"), self.T("td")))
        out.append('<p><%s href="/wzdt/">网站地图</%s> | <%s href="/lxwm/">联系我们</%s> | '
                   '<%s href="/sybz/">使用帮助</%s> | <%s href="/mzsm/">免责声明</%s></p>\n' % ((a, a) * 4))
        out.append("<p>主办单位：%s办公室　　承办单位：%s数据资源管理局</p>\n" % (self.site_name, self.P))
        out.append("<p>地址：%s%s路%d号　邮编：%s%02d　联系电话：%s　电子邮箱：%s@163.com</p>\n"
                   % (self.P, self.pick(["人民", "建设", "中山", "解放", "和平", "迎宾", "政府"]), r.randint(1, 399),
                      self.admin[:4], r.randint(0, 9) * 10, self.phone(), self.domain.split(".")[1] + "zwgk"))
        out.append("<p>网站标识码：%s　<a href=\"https://beian.miit.gov.cn/\" target=\"_blank\">%sICP备%08d号-%d</a>　"
                   "<img src=\"/images/ga.png\" alt=\"\">%s公网安备 %s%08d号</p>\n"
                   % (self.site_id, self.prov, r.randint(1000000, 40000000), r.randint(1, 3), self.prov,
                      self.admin, r.randint(0, 99999999)))
        out.append("<p>版权所有：%s　建议使用IE9及以上版本或Chrome浏览器，分辨率1366×768</p>\n" % self.site_name)
        out.append("</%s></%s></%s></div>\n" % (self.T("td"), self.T("tr"), self.T("table")))
        out.append('<div class="float-box"><a class="gotop" href="javascript:void(0)">返回顶部</a>'
                   '<a href="/hdjl/">我要留言</a><a href="/wap/">手机版</a></div>\n')
        return "".join(out)


def make_page(args):
    seed, index, gbk_share = args
    p = Page(seed, index, gbk_share)
    text = p.render()
    data = text.encode(p.charset)  # strict: a character outside GBK is a bug
    if not MIN_BYTES <= len(data) <= MAX_BYTES:
        raise RuntimeError("page %d: %d bytes, outside %d..%d" % (index, len(data), MIN_BYTES, MAX_BYTES))
    return index, data, p.charset, p.layout, p.fault


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--gbk-share", type=float, default=0.2)
    ap.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    a = ap.parse_args(argv)
    if a.count < 0 or not (0.0 <= a.gbk_share <= 1.0):
        ap.error("bad --count or --gbk-share")
    os.makedirs(a.out, exist_ok=True)
    jobs = a.jobs or os.cpu_count() or 1
    t0 = time.monotonic()
    work = [(a.seed, i, a.gbk_share) for i in range(a.count)]
    rows = []
    width = max(5, len(str(max(a.count - 1, 0))))

    def emit(res):
        i, data, cs, layout, fault = res
        name = "page-%0*d.html" % (width, i)
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(data)
        rows.append("%s\t%d\t%s\t%s\t%s\n" % (name, len(data), cs, layout, fault or "-"))

    if jobs > 1 and a.count >= 50:
        import multiprocessing
        with multiprocessing.Pool(jobs) as pool:
            for res in pool.imap(make_page, work, chunksize=32):
                emit(res)
    else:
        for w in work:
            emit(make_page(w))
    with open(os.path.join(a.out, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("file\tbytes\tcharset\tlayout\tfault\n")
        f.writelines(rows)
    dt = time.monotonic() - t0
    total = sum(int(r.split("\t")[1]) for r in rows)
    print("gen-pages: %d pages, %d bytes, %.1f s -> %s" % (a.count, total, dt, a.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
